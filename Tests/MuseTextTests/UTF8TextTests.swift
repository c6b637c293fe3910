import XCTest
@testable import MuseText

final class UTF8TextTests: XCTestCase {
    func testIllFormedBytesAreRejectedAtPythonsOffsetWithPythonsReason() throws {
        for item in try TextFixtures.load().utf8 {
            XCTAssertThrowsError(try UTF8Text.validate(item.bytes, file: "f.txt"), item.hex) { error in
                guard case let TextError.invalidUTF8(file, offset, byte, problem) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(file, "f.txt")
                XCTAssertEqual(offset, item.offset, item.hex)
                XCTAssertEqual(problem, item.reason, item.hex)
                XCTAssertEqual(byte, item.bytes[item.offset], item.hex)
            }
        }
    }

    func testScalarsStopAtTheSameOffsetAsValidate() throws {
        for item in try TextFixtures.load().utf8 {
            XCTAssertThrowsError(try UTF8Text.scalars(of: item.bytes, file: nil)) { error in
                XCTAssertEqual(error as? TextError, .invalidUTF8(file: nil, offset: item.offset, byte: item.bytes[item.offset], problem: item.reason))
            }
        }
    }

    func testErrorDescriptionNamesFileOffsetAndByte() {
        let error = TextError.invalidUTF8(file: "poems.txt", offset: 42, byte: 0xE2, problem: "invalid continuation byte")
        XCTAssertEqual(error.description, "poems.txt: offset 42: invalid UTF-8: byte 0xE2: invalid continuation byte")
    }

    func testWellFormedMixedScriptsDecodeToTheirScalars() throws {
        for text in mixedScripts {
            XCTAssertEqual(try UTF8Text.scalars(of: Array(text.utf8), file: nil), text.unicodeScalars.map(\.value))
        }
    }

    func testBoundaryScalarsAreWellFormed() throws {
        // U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF.
        let text = "\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"
        XCTAssertEqual(try UTF8Text.scalars(of: Array(text.utf8), file: nil), [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF])
    }

    func testEmptyBytesAreWellFormed() throws {
        XCTAssertNoThrow(try UTF8Text.validate([], file: nil))
        XCTAssertEqual(try UTF8Text.scalars(of: [], file: nil), [])
    }
}
