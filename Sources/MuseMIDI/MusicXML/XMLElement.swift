/// A parsed XML element: just what score formats need (names, attributes, text, children).
///
/// Produced by `XMLElement.parse(_:)`, a small, forgiving, non-validating parser: it skips the
/// prolog, comments, processing instructions, DOCTYPE and CDATA markers, decodes the five named
/// entities and numeric character references, and repairs invalid UTF-8 (old MusicXML exports
/// declare UTF-8 but contain Latin-1 bytes). Depth is bounded so hostile input cannot exhaust
/// the stack; everything else is bounded by the input's size.
public final class XMLElement {
    /// Element name, e.g. `"note"`.
    public let name: String
    /// Attributes in document order, name → value.
    public private(set) var attributes: [String: String]
    /// Child elements in document order.
    public private(set) var children: [XMLElement] = []
    /// Concatenated character data directly inside this element, whitespace-trimmed.
    public var text: String { textStorage.trimmingWhitespace() }
    private var textStorage = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first child named `name`, if any.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// All children named `name`.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// Text of the first child named `name`.
    public func childText(_ name: String) -> String? { child(name)?.text }

    /// Deepest nesting accepted; real scores nest fewer than 10 levels.
    public static let maximumDepth = 256

    /// Parses a whole document and returns its root element.
    /// - Throws: `XMLParseError` with the byte offset of the problem.
    public static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        var parser = Parser(bytes: bytes)
        return try parser.parseDocument()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func parseDocument() throws -> XMLElement {
            var stack: [XMLElement] = []
            var root: XMLElement?
            while i < bytes.count {
                if bytes[i] != UInt8(ascii: "<") {
                    let start = i
                    while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                    if let top = stack.last { top.textStorage += decodeText(start, i) }
                    continue
                }
                // Markup.
                if startsWith("<!--") {
                    try skip(past: "-->")
                } else if startsWith("<![CDATA[") {
                    let start = i + 9
                    try skip(past: "]]>")
                    if let top = stack.last { top.textStorage += String(decoding: bytes[start..<(i - 3)], as: UTF8.self) }
                } else if startsWith("<?") {
                    try skip(past: "?>")
                } else if startsWith("<!") {
                    try skipDeclaration()
                } else if startsWith("</") {
                    i += 2
                    let name = readName()
                    try skip(past: ">")
                    guard let top = stack.popLast(), top.name == name else {
                        throw XMLParseError(offset: i, reason: "closing tag </\(name)> does not match an open element")
                    }
                    if stack.isEmpty { root = top; return top }
                } else {
                    i += 1
                    let name = readName()
                    guard !name.isEmpty else { throw XMLParseError(offset: i, reason: "expected an element name after '<'") }
                    var attributes: [String: String] = [:]
                    var selfClosing = false
                    while true {
                        skipSpace()
                        guard i < bytes.count else { throw XMLParseError(offset: i, reason: "document ends inside <\(name)>") }
                        if bytes[i] == UInt8(ascii: ">") { i += 1; break }
                        if startsWith("/>") { i += 2; selfClosing = true; break }
                        let key = readName()
                        guard !key.isEmpty else { throw XMLParseError(offset: i, reason: "malformed attribute in <\(name)>") }
                        skipSpace()
                        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                            throw XMLParseError(offset: i, reason: "attribute \(key) of <\(name)> has no value")
                        }
                        i += 1
                        skipSpace()
                        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                            throw XMLParseError(offset: i, reason: "attribute \(key) of <\(name)> is not quoted")
                        }
                        let quote = bytes[i]
                        i += 1
                        let start = i
                        while i < bytes.count && bytes[i] != quote { i += 1 }
                        guard i < bytes.count else { throw XMLParseError(offset: start, reason: "unterminated attribute value") }
                        attributes[key] = decodeText(start, i)
                        i += 1
                    }
                    let element = XMLElement(name: name, attributes: attributes)
                    stack.last?.children.append(element)
                    if selfClosing {
                        if stack.isEmpty { return element }
                    } else {
                        guard stack.count < XMLElement.maximumDepth else {
                            throw XMLParseError(offset: i, reason: "elements nested deeper than \(XMLElement.maximumDepth)")
                        }
                        stack.append(element)
                    }
                }
            }
            if let root { return root }
            throw XMLParseError(offset: i, reason: stack.isEmpty ? "no root element" : "document ends inside <\(stack.last!.name)>")
        }

        func startsWith(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            return s.withUTF8Buffer { p in
                for k in 0..<n where bytes[i + k] != p[k] { return false }
                return true
            }
        }

        mutating func skip(past s: StaticString) throws {
            let start = i
            while i < bytes.count {
                if startsWith(s) { i += s.utf8CodeUnitCount; return }
                i += 1
            }
            throw XMLParseError(offset: start, reason: "unterminated markup (expected \(s))")
        }

        /// `<!DOCTYPE …>` possibly with an internal subset in brackets.
        mutating func skipDeclaration() throws {
            let start = i
            var bracketDepth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "["): bracketDepth += 1
                case UInt8(ascii: "]"): bracketDepth -= 1
                case UInt8(ascii: ">") where bracketDepth <= 0: i += 1; return
                default: break
                }
                i += 1
            }
            throw XMLParseError(offset: start, reason: "unterminated declaration")
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func readName() -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">")
                    || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") { break }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        /// Character data with entities decoded.
        func decodeText(_ start: Int, _ end: Int) -> String {
            let raw = String(decoding: bytes[start..<end], as: UTF8.self)
            guard raw.contains("&") else { return raw }
            var out = ""
            var rest = Substring(raw)
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                    out += "&"; rest = rest[rest.index(after: amp)...]; continue
                }
                let entity = rest[rest.index(after: amp)..<semi]
                switch entity {
                case "amp": out += "&"
                case "lt": out += "<"
                case "gt": out += ">"
                case "quot": out += "\""
                case "apos": out += "'"
                default:
                    var scalar: Unicode.Scalar?
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                    } else if entity.hasPrefix("#") {
                        scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                    }
                    if let scalar { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
                }
                rest = rest[rest.index(after: semi)...]
            }
            out += rest
            return out
        }
    }
}

/// What went wrong parsing XML, and where.
public struct XMLParseError: Error, Equatable, CustomStringConvertible {
    /// Byte offset in the document.
    public var offset: Int
    public var reason: String
    public var description: String { "offset \(offset): \(reason)" }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
