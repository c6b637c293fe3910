import Foundation
import Hummingbird
import MuseTraining

/// `muse studio`'s HTTP server (Hummingbird): the page at `/`, the JSON API under `/api/` (see
/// `StudioOpenAPI`), result files under `/api/jobs/ID/files/`. Every error is answered as
/// `{"error": "one message"}` with its status.
public struct StudioServer {
    /// Where it listens and what it serves.
    public let configuration: StudioConfiguration
    /// The work behind the API.
    public let engine: StudioEngine

    /// A server for `configuration` (creates its output folders).
    /// - Throws: file errors.
    public init(configuration: StudioConfiguration) throws {
        self.configuration = configuration
        engine = try StudioEngine(configuration: configuration)
    }

    /// Serves until the surrounding task is cancelled (or the process gets SIGINT/SIGTERM through
    /// the caller). `onRunning` receives the bound port once the socket listens.
    /// - Throws: bind errors (port in use, bad host).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: makeRouter(),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "muse-studio"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) })
        try await app.run()
    }

    /// The routes.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let engine = self.engine
        let limits = configuration.limits
        router.addMiddleware { JSONErrorMiddleware<BasicRequestContext>() }

        router.get("/") { _, _ in Self.text(StudioPage.html, type: "text/html; charset=utf-8") }
        router.get("/studio.css") { _, _ in Self.text(StudioPage.css, type: "text/css; charset=utf-8") }
        router.get("/studio.js") { _, _ in Self.text(StudioPage.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/api/openapi.json") { _, _ in Self.text(StudioOpenAPI.json, type: "application/json") }

        router.get("/api/bundles") { _, _ in try Self.json(["bundles": engine.catalog.entries()]) }
        router.get("/api/runs/{name}/metrics") { _, context in
            let name = try context.parameters.require("name")
            let entry = try engine.catalog.entry(name)
            return try Self.json(RunCurves.read(run: entry.id, folder: engine.catalog.runsDirectory.appendingPathComponent(entry.id)))
        }
        router.post("/api/uploads") { request, _ in
            guard let raw = request.uri.queryParameters.get("kind"), let kind = UploadKind(rawValue: raw) else {
                throw StudioError.badRequest("give ?kind=midi or ?kind=audio")
            }
            let limit = engine.uploads.limit(for: kind)
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                throw StudioError.tooLarge(what: "the \(kind.rawValue) upload", limitBytes: limit)
            }
            let body = try await Self.collect(request, limit: limit, what: "the \(kind.rawValue) upload")
            return try Self.json(engine.uploads.add(body, kind: kind), status: .created)
        }
        router.post("/api/continue") { request, _ in
            let body = try await Self.decode(ContinueRequest.self, request, limit: limits.jsonBytes)
            return try Self.json(engine.submit(body).status, status: .accepted)
        }
        router.post("/api/generate") { request, _ in
            let body = try await Self.decode(GenerateRequest.self, request, limit: limits.jsonBytes)
            return try Self.json(engine.submit(body).status, status: .accepted)
        }
        router.post("/api/interpolate") { request, _ in
            let body = try await Self.decode(InterpolateRequest.self, request, limit: limits.jsonBytes)
            return try Self.json(engine.submit(body).status, status: .accepted)
        }
        router.get("/api/jobs/{id}") { request, context in
            let job = try engine.jobs.job(context.parameters.require("id"))
            let wait = try Self.waitSeconds(request)
            return try Self.json(wait > 0 ? await job.statusAfterChange(waitingAtMost: wait) : job.status)
        }
        router.delete("/api/jobs/{id}") { _, context in
            let job = try engine.jobs.job(context.parameters.require("id"))
            job.cancel()
            return try Self.json(job.status)
        }
        router.get("/api/jobs/{id}/files/{file}") { _, context in
            let job = try engine.jobs.job(context.parameters.require("id"))
            let name = try context.parameters.require("file")
            guard let url = job.file(name), let data = FileManager.default.contents(atPath: url.path) else {
                throw StudioError.notFound("job \(job.id) has no file '\(name)'")
            }
            let type = name.hasSuffix(".wav") ? "audio/wav" : name.hasSuffix(".png") ? "image/png" : "audio/midi"
            var headers: HTTPFields = [.contentType: type]
            if name.hasSuffix(".mid") { headers[.contentDisposition] = "attachment; filename=\"\(name)\"" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    /// The `wait` query parameter of a job poll: seconds in 0...10, 0 when absent.
    /// - Throws: `StudioError.badRequest` when it is not a number in that range.
    static func waitSeconds(_ request: Request) throws -> Double {
        guard let raw = request.uri.queryParameters.get("wait") else { return 0 }
        guard let seconds = Double(raw), seconds >= 0, seconds <= 10 else {
            throw StudioError.badRequest("wait must be a number of seconds from 0 to 10, not '\(raw)'")
        }
        return seconds
    }

    /// The body of `request`, at most `limit` bytes.
    /// - Throws: `StudioError.tooLarge` past the limit.
    static func collect(_ request: Request, limit: Int, what: String) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw StudioError.tooLarge(what: what, limitBytes: limit)
        }
    }

    /// The JSON body of `request` decoded as `T`.
    /// - Throws: `StudioError.badRequest` naming the field at fault, `.tooLarge` past `limit`.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
        let data = try await collect(request, limit: limit, what: "the request body")
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw StudioError.badRequest("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw StudioError.badRequest("field '\(field)' has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw StudioError.badRequest("field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is not valid")
        } catch {
            throw StudioError.badRequest("the request body is not a JSON object")
        }
    }

    /// `value` as a JSON response.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `text` as a response of content type `type`.
    static func text(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Answers every error as `{"error": "one message"}`: `StudioError`s with their status,
/// Hummingbird's own (unknown route 404, body too large 413) with theirs, anything else 500.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StudioError {
            return Self.response(error.description, status: .init(code: error.status))
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such path: \(request.uri.path)" : error.status.reasonPhrase)
            return Self.response(message, status: error.status)
        } catch let error as HTTPResponseError {
            return Self.response(error.status.reasonPhrase, status: error.status)
        } catch {
            return Self.response(String(describing: error), status: .internalServerError)
        }
    }

    /// The JSON error response.
    static func response(_ message: String, status: HTTPResponse.Status) -> Response {
        let line = message.split(separator: "\n").first.map(String.init) ?? message
        let data = (try? JSONSerialization.data(withJSONObject: ["error": line])) ?? Data("{\"error\":\"error\"}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
