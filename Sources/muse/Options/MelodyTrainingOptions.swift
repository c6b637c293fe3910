import ArgumentParser
import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI
import MuseModels

/// Runs `body`; a model, tensor, encoding or MIDI error becomes one `muse: error: …` line and exit code 1.
func exitingOnModelError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ModelError {
        fail(error.description)
    } catch let error as TensorError {
        fail(error.description)
    } catch let error as EncodingError {
        fail(error.description)
    } catch let error as MIDIError {
        fail(error.description)
    }
}

private func fail(_ line: String) -> Never {
    FileHandle.standardError.write(Data("muse: error: \(line)\n".utf8))
    Foundation.exit(1)
}
