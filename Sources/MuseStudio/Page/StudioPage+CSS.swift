extension StudioPage {
    /// `GET /studio.css`: the page's style, usable from phone width up.
    public static let css = #"""
:root { --bg: #121218; --fg: #e8e8ee; --muted: #9090a0; --card: #1c1c26; --accent: #6cb4ff; --bad: #ff7070; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1rem; padding: .6rem 1rem; background: #0c0c12; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 1rem 0 .5rem; }
h3 { font-size: 1rem; margin: .8rem 0 .3rem; }
main { max-width: 960px; margin: 0 auto; padding: 0 .8rem 2rem; }
#status { color: var(--muted); }
#status.error, .error { color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .6rem; }
.card { background: var(--card); border-radius: 8px; padding: .6rem; border: 2px solid transparent; min-width: 0; }
.card.selected { border-color: var(--accent); }
.card .kind { color: var(--accent); font-size: .85rem; }
.card .metrics { color: var(--muted); font-size: .8rem; word-break: break-word; }
.card img { display: block; width: 100%; max-height: 220px; object-fit: contain; background: #000; image-rendering: pixelated; margin: .4rem 0; }
.card audio { width: 100%; }
.card a { color: var(--accent); margin-right: .8rem; }
nav { display: flex; gap: .3rem; margin-top: 1rem; }
nav button { flex: 1; }
nav button.active { background: var(--accent); color: #000; }
.panel { background: var(--card); border-radius: 0 0 8px 8px; padding: .8rem; }
form label { display: block; margin: .3rem 0; color: var(--muted); }
form label.check { display: flex; align-items: center; gap: .3rem; }
input, select, button { font: inherit; width: 100%; padding: .35rem; border-radius: 6px; border: 1px solid #333344; background: #0e0e14; color: var(--fg); }
input[type=checkbox] { width: auto; }
button { cursor: pointer; background: #2a2a3a; }
button[type=submit] { margin-top: .5rem; background: var(--accent); color: #000; font-weight: 600; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.row > * { flex: 1 1 120px; }
progress { width: 100%; height: 1.2rem; }
#chart { width: 100%; height: auto; background: #0c0c12; border-radius: 6px; }
#legend span { margin-right: 1rem; font-size: .85rem; }
.muted { color: var(--muted); }
footer { text-align: center; color: var(--muted); padding: 1rem; font-size: .85rem; }
footer a { color: var(--accent); }
"""#
}
