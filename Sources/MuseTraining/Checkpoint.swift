import Foundation
import MuseCore

/// A checkpoint folder `checkpoint-<step>/` of a training run: a model bundle (`config.json`,
/// `model.safetensors`) plus `optimizer.safetensors` (PyTorch-style keys, prefixed by the
/// optimizer's name when a task has several) and `training_state.json`. Built under a temporary
/// name and renamed into place, so an interrupted run never leaves a half-written checkpoint.
public enum Checkpoint {
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
                try SafeTensors.write(optimizerState, to: temporary.appendingPathComponent("optimizer.safetensors"))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(state).write(to: temporary.appendingPathComponent("training_state.json"))
            }
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.io(file: final.path, reason: "cannot write checkpoint: \(error)")
        }
        for old in list(in: directory).dropLast(max(1, keep)) { try? FileManager.default.removeItem(at: old.url) }
        return final
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
