/// Human-readable listings of a SoundFont, for `muse soundfont info`.
extension SoundFont {
    /// Counts, INFO name, then one line per preset (`bank:program name (zones)`), and with
    /// `details` every instrument (zones) and sample (frames, rate, root key, loop).
    public func summary(details: Bool = false) -> String {
        var lines: [String] = []
        let title = info["INAM"].map { " \"\($0)\"" } ?? ""
        lines.append("\(name)\(title): \(presets.count) presets, \(instruments.count) instruments, \(samples.count) samples, \(pool.count) sample frames")
        for (k, v) in info.sorted(by: { $0.key < $1.key }) where k != "INAM" { lines.append("  \(k): \(v)") }
        lines.append("presets:")
        for p in presets.sorted(by: { ($0.bank, $0.program) < ($1.bank, $1.program) }) {
            lines.append(String(format: "  %03d:%03d  %@  (%d zones)", p.bank, p.program, p.name, p.zones.count))
        }
        if details {
            lines.append("instruments:")
            for (i, inst) in instruments.enumerated() { lines.append("  \(i)  \(inst.name)  (\(inst.zones.count) zones)") }
            lines.append("samples:")
            for (i, s) in samples.enumerated() {
                lines.append("  \(i)  \(s.name)  \(s.end - s.start + 1) frames  \(s.sampleRate) Hz  root \(s.originalPitch)\(s.pitchCorrection != 0 ? " \(s.pitchCorrection) ct" : "")  loop \(s.loopStart - s.start)..<\(s.loopEnd - s.start)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
