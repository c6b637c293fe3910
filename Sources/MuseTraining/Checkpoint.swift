import Foundation
import MuseCore

/// A checkpoint folder `checkpoint-<step>/` of a training run: a model bundle (`config.json`,
/// `model.safetensors`) plus `optimizer.safetensors` (PyTorch-style keys, prefixed by the
/// optimizer's name when a task has several) and `training_state.json`, and last `checksums.json`
/// (the size and CRC-32 of every other file, so a truncated or changed file is noticed on resume).
/// Built under a temporary name and renamed into place, so an interrupted run never leaves a
/// half-written checkpoint.
public enum Checkpoint {
    /// Name of the file that records each file's size and CRC-32.
    public static let checksumsFileName = "checksums.json"

    /// `checksums.json`: `{"version": 1, "files": {"config.json": {"bytes": 312, "crc32": "1a2b3c4d"}, …}}`.
    struct Checksums: Codable {
        struct Entry: Codable, Equatable {
            var bytes: Int
            var crc32: String
        }
        var version: Int
        var files: [String: Entry]
    }

    /// Folder name of the checkpoint after `step` optimizer steps (zero-padded so names sort).
    public static func folderName(step: Int) -> String { String(format: "checkpoint-%08d", step) }

    /// Complete checkpoint folders under `directory`, oldest (lowest step) first.
    public static func list(in directory: URL) -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("training_state.json").path) else { return nil }
            return (step, url)
        }.sorted { $0.0 < $1.0 }
    }

    /// Writes a checkpoint atomically and deletes all but the newest `keep` checkpoints.
    /// - Returns: the checkpoint folder.
    /// - Throws: `TrainingError.io` naming the file.
    @discardableResult
    public static func write(to directory: URL, task: any TrainingTask, optimizerState: [String: Tensor],
                             state: TrainingState, keep: Int) throws -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.io(file: directory.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        let final = directory.appendingPathComponent(folderName(step: state.step))
        do {
            try AtomicFile.writeDirectory(at: final) { temporary in
                try ModelBundle.writeContents(to: temporary, kind: task.bundleKind, configJSON: task.configJSON(), step: state.step,
                                              metrics: state.evaluations.last?.metrics, module: task.module,
                                              extraFiles: task.extraFiles)
                try BundleFileWriter.write(SafeTensors.encode(optimizerState), to: temporary.appendingPathComponent("optimizer.safetensors"))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try BundleFileWriter.write(encoder.encode(state), to: temporary.appendingPathComponent("training_state.json"))
                try writeChecksums(in: temporary)
            }
        } catch let TrainingError.io(file, reason), let SupportError.io(file, reason) {
            // Named by where the file would have landed, not by the temporary folder.
            let name = URL(fileURLWithPath: file).lastPathComponent
            throw TrainingError.io(file: name.hasPrefix(".") ? final.path : final.appendingPathComponent(name).path, reason: reason)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.io(file: final.path, reason: "cannot write checkpoint: \(error)")
        }
        // Renamed out of the listing first, so a kill during the deletion leaves no half-deleted
        // checkpoint that looks whole (the hidden remains are removed on the next run).
        for old in list(in: directory).dropLast(max(1, keep)) {
            let doomed = URL(fileURLWithPath: AtomicFile.temporaryPath(for: old.url.path))
            if rename(old.url.path, doomed.path) == 0 { try? FileManager.default.removeItem(at: doomed) }
        }
        return final
    }

    /// Records the size and CRC-32 of every file in `folder` in its `checksums.json`.
    static func writeChecksums(in folder: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != checksumsFileName }
        var files: [String: Checksums.Entry] = [:]
        for name in names {
            let url = folder.appendingPathComponent(name)
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            files[name] = .init(bytes: size, crc32: String(format: "%08x", try CRC32.checksum(ofFile: url)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try BundleFileWriter.write(encoder.encode(Checksums(version: 1, files: files)), to: folder.appendingPathComponent(checksumsFileName))
    }

    /// Checks every file of a checkpoint against its `checksums.json` (size, then CRC-32). A
    /// checkpoint written before checksums existed has none and passes.
    /// - Throws: `TrainingError.damagedCheckpoint` naming the first file that differs.
    public static func verify(_ checkpoint: URL) throws {
        let url = checkpoint.appendingPathComponent(checksumsFileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let data = FileManager.default.contents(atPath: url.path), data.count < 1 << 20,
              let checksums = try? JSONDecoder().decode(Checksums.self, from: data) else {
            throw TrainingError.damagedCheckpoint(file: url.path, reason: "unreadable checksum list")
        }
        for (name, expected) in checksums.files.sorted(by: { $0.key < $1.key }) {
            let file = checkpoint.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
                  let size = (attributes[.size] as? NSNumber)?.intValue else {
                throw TrainingError.damagedCheckpoint(file: file.path, reason: "missing")
            }
            guard size == expected.bytes else {
                throw TrainingError.damagedCheckpoint(file: file.path, reason: "\(size) bytes, \(expected.bytes) were written")
            }
            guard let value = try? CRC32.checksum(ofFile: file) else {
                throw TrainingError.damagedCheckpoint(file: file.path, reason: "unreadable")
            }
            let crc = String(format: "%08x", value)
            guard crc == expected.crc32 else {
                throw TrainingError.damagedCheckpoint(file: file.path, reason: "CRC-32 \(crc), \(expected.crc32) was written")
            }
        }
    }

    /// Reads `training_state.json` of a checkpoint.
    /// - Throws: `TrainingError.missingFile` / `.badField` naming the file.
    public static func readState(_ checkpoint: URL) throws -> TrainingState {
        let url = checkpoint.appendingPathComponent("training_state.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TrainingError.missingFile(file: url.path) }
        do { return try JSONDecoder().decode(TrainingState.self, from: data) } catch {
            throw TrainingError.badField(file: url.path, field: ModelBundle.fieldName(of: error), reason: ModelBundle.reason(of: error))
        }
    }

    /// The state of optimizer `name` in a checkpoint's `optimizer.safetensors`: its own keys with
    /// the `name.` prefix removed, or every key when the task has a single optimizer.
    static func optimizerState(_ all: [String: Tensor], name: String, single: Bool) -> [String: Tensor] {
        if single { return all }
        let prefix = name + "."
        return Dictionary(uniqueKeysWithValues: all.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        })
    }

    /// Refuses to resume when the model config or the run settings differ from the checkpoint's.
    /// - Throws: `TrainingError.runMismatch` naming the first differing field.
    static func checkSameRun(_ checkpoint: URL, saved: TrainingState, configJSON: Data, run: [String: String]) throws {
        let folder = checkpoint.deletingLastPathComponent().relativePath
        let savedConfig = try ModelBundle.open(checkpoint).configFields()
        let currentConfig = try ModelBundle.flatten(configJSON, file: "config")
        for key in Set(savedConfig.keys).union(currentConfig.keys).sorted() where savedConfig[key] != currentConfig[key] {
            throw TrainingError.runMismatch(folder: folder, field: key, saved: savedConfig[key] ?? "(none)", current: currentConfig[key] ?? "(none)")
        }
        guard let savedRun = saved.run else { return }  // a checkpoint of an earlier version: config checked only
        for key in Set(savedRun.keys).union(run.keys).sorted() where savedRun[key] != run[key] {
            throw TrainingError.runMismatch(folder: folder, field: key, saved: savedRun[key] ?? "(none)", current: run[key] ?? "(none)")
        }
    }
}
