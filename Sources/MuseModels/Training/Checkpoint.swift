import Foundation
import MuseCore
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint bundle folder `checkpoint-<step>/` holding `model.safetensors`, `config.json`,
/// `optimizer.safetensors` (Adam moments and step, PyTorch-style keys) and `training_state.json`.
/// Written into a hidden temporary folder and renamed into place, so an interrupted run never
/// leaves a half-written checkpoint.
public enum Checkpoint {
    /// Folder name of the checkpoint after `step` optimizer steps (zero-padded so names sort).
    public static func folderName(step: Int) -> String { String(format: "checkpoint-%08d", step) }

    /// Checkpoint folders under `directory`, oldest (lowest step) first.
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
    /// - Throws: `ModelError.io` naming the file.
    @discardableResult
    public static func write(to directory: URL, module: any Module, configJSON: Data, optimizer: any Optimizer,
                             state: TrainingState, keep: Int) throws -> URL {
        let fm = FileManager.default
        do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ModelError.io(file: directory.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        let final = directory.appendingPathComponent(folderName(step: state.step))
        let temp = directory.appendingPathComponent(".tmp-\(folderName(step: state.step))-\(getpid())")
        try? fm.removeItem(at: temp)
        do {
            try fm.createDirectory(at: temp, withIntermediateDirectories: true)
            try module.save(to: temp.appendingPathComponent("model.safetensors"))
            try configJSON.write(to: temp.appendingPathComponent("config.json"))
            try SafeTensors.write(optimizer.stateDict(), to: temp.appendingPathComponent("optimizer.safetensors"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(state).write(to: temp.appendingPathComponent("training_state.json"))
        } catch {
            try? fm.removeItem(at: temp)
            throw ModelError.io(file: temp.path, reason: "cannot write checkpoint: \(error)")
        }
        try? fm.removeItem(at: final)
        guard rename(temp.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw ModelError.io(file: final.path, reason: "cannot rename checkpoint into place: \(reason)")
        }
        let all = list(in: directory)
        for old in all.dropLast(max(1, keep)) { try? fm.removeItem(at: old.url) }
        return final
    }

    /// Reads `training_state.json` of a checkpoint.
    /// - Throws: `ModelError.missingFile` / `.badField` naming the file.
    public static func readState(_ checkpoint: URL) throws -> TrainingState {
        let url = checkpoint.appendingPathComponent("training_state.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        do { return try JSONDecoder().decode(TrainingState.self, from: data) } catch {
            throw ModelError.badField(file: url.path, field: ModelBundle.fieldName(of: error), reason: "\(ModelBundle.reason(of: error))")
        }
    }
}
