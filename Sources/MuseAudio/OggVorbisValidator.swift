import COggVorbis
import Foundation

/// Decodes an Ogg Vorbis file's three header packets with libogg and libvorbis before libsndfile
/// opens it, and refuses the file when they are bad.
///
/// libsndfile 1.2 never frees the `vorbis_info` it set up (about 6 KB) when `sf_open` fails on an
/// Ogg Vorbis file's headers, and Muse gets no handle to free it with. A long-running process
/// (`muse studio`) fed bad uploads would grow without bound. This check reads the same pages
/// libsndfile does: the first page of the file (a beginning-of-stream page holding only the
/// identification packet), then that stream's pages until the comment and setup packets are out.
/// It frees everything on every path, and throws `AudioError.unreadable` naming the packet for each
/// way libsndfile would fail there. It also refuses comment or setup headers libvorbis rejects,
/// which libsndfile lets through.
///
/// Files that are not Ogg, and Ogg streams that are not Vorbis (Opus, FLAC), are left to libsndfile.
/// Work and memory are bounded by the file: it is read once, in blocks, up to the end of the setup
/// header.
enum OggVorbisValidator {
    /// Bytes read from the file per step.
    static let blockSize = 1 << 16

    static func validate(path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw AudioError.unreadable(path: path, reason: "cannot open for reading")
        }
        defer { try? file.close() }
        guard let magic = try? file.read(upToCount: 4), magic == Data("OggS".utf8) else { return }
        try? file.seek(toOffset: 0)
        let state = OggHeaderState()
        defer { state.release() }

        // Adds the next block of the file to the sync buffer; false at the end of the file.
        func feed() -> Bool {
            guard let data = try? file.read(upToCount: blockSize), !data.isEmpty,
                  let buffer = ogg_sync_buffer(state.sync, data.count) else { return false }
            data.copyBytes(to: UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: data.count)
            return ogg_sync_wrote(state.sync, data.count) == 0
        }
        // The next whole page in the file (junk before it skipped, as libsndfile does); nil at the end.
        func nextPage() -> Bool {
            while true {
                let found = ogg_sync_pageseek(state.sync, state.page)
                if found > 0 { return true }
                if found == 0 && !feed() { return false }
            }
        }
        func bad(_ reason: String) -> AudioError { .unreadable(path: path, reason: "Ogg Vorbis: \(reason)") }

        // The first page decides the codec; libsndfile fails before its Vorbis reader (and its
        // leak) unless this page starts a stream whose body is a Vorbis identification header.
        guard nextPage(), ogg_page_bos(state.page) != 0 else { return }
        let page = state.page.pointee
        let vorbisID: [UInt8] = [0x01, 0x76, 0x6F, 0x72, 0x62, 0x69, 0x73]  // "\u{1}vorbis"
        guard page.body_len >= vorbisID.count,
              vorbisID.indices.allSatisfy({ page.body[$0] == vorbisID[$0] }) else { return }
        state.startStream(serial: ogg_page_serialno(state.page))
        guard ogg_stream_pagein(state.stream, state.page) == 0,
              ogg_stream_packetout(state.stream, state.packet) == 1 else { return }

        // From here on, every failure is one where libsndfile 1.2 would leak.
        if ogg_stream_packetpeek(state.stream, nil) != 0 {
            throw bad("the first page holds more than the identification header")
        }
        if vorbis_synthesis_headerin(state.info, state.comment, state.packet) < 0 {
            throw bad("bad identification header")
        }
        let names = ["comment", "setup"]
        var headers = 0
        while headers < 2 {
            let out = ogg_stream_packetout(state.stream, state.packet)
            if out < 0 { throw bad("a page is missing before the \(names[headers]) header") }
            if out == 0 {
                // The stream's next page; pages of other streams are skipped.
                repeat {
                    guard nextPage() else { throw bad("the file ends before the \(names[headers]) header") }
                } while ogg_page_serialno(state.page) != state.serial
                if ogg_stream_pagein(state.stream, state.page) != 0 {
                    throw bad("a page of the stream does not fit it before the \(names[headers]) header")
                }
                continue
            }
            if vorbis_synthesis_headerin(state.info, state.comment, state.packet) < 0 {
                throw bad("bad \(names[headers]) header")
            }
            headers += 1
        }
    }
}

/// libogg's and libvorbis's decoder state for `OggVorbisValidator`, in memory of its own (libogg
/// keeps pointers into it between calls), freed by `release()`.
private final class OggHeaderState {
    let sync = UnsafeMutablePointer<ogg_sync_state>.allocate(capacity: 1)
    let stream = UnsafeMutablePointer<ogg_stream_state>.allocate(capacity: 1)
    let page = UnsafeMutablePointer<ogg_page>.allocate(capacity: 1)
    let packet = UnsafeMutablePointer<ogg_packet>.allocate(capacity: 1)
    let info = UnsafeMutablePointer<vorbis_info>.allocate(capacity: 1)
    let comment = UnsafeMutablePointer<vorbis_comment>.allocate(capacity: 1)
    private(set) var serial: Int32 = 0
    private var streamStarted = false

    init() {
        ogg_sync_init(sync)
        page.initialize(to: ogg_page())
        packet.initialize(to: ogg_packet())
        vorbis_info_init(info)
        vorbis_comment_init(comment)
    }

    func startStream(serial: Int32) {
        self.serial = serial
        ogg_stream_init(stream, serial)
        streamStarted = true
    }

    func release() {
        vorbis_comment_clear(comment)
        vorbis_info_clear(info)
        if streamStarted { ogg_stream_clear(stream) }
        ogg_sync_clear(sync)
        for pointer in [UnsafeMutableRawPointer(sync), UnsafeMutableRawPointer(stream), UnsafeMutableRawPointer(page),
                        UnsafeMutableRawPointer(packet), UnsafeMutableRawPointer(info), UnsafeMutableRawPointer(comment)] {
            pointer.deallocate()
        }
    }
}
