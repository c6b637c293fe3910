extension StudioPage {
    /// `GET /`: the page's markup.
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Muse Studio</title>
<link rel="stylesheet" href="/studio.css">
</head>
<body>
<header><h1>Muse Studio</h1><span id="status" role="status">loading bundles…</span></header>
<main>
<section id="bundles-section">
  <h2>Bundles</h2>
  <div id="bundles" class="cards"></div>
  <div id="chart-box" hidden>
    <h3 id="chart-title">Training</h3>
    <canvas id="chart" width="640" height="240" aria-label="training curves"></canvas>
    <div id="legend"></div>
  </div>
</section>
<nav id="tabs" role="tablist">
  <button role="tab" data-panel="continue" class="active">Continue</button>
  <button role="tab" data-panel="generate">Generate</button>
  <button role="tab" data-panel="interpolate">Interpolate</button>
</nav>
<section id="panel-continue" class="panel">
  <form id="form-continue">
    <label>Bundle <select name="bundle" data-kinds="melody-rnn music-transformer"></select></label>
    <label>Primer (Magenta list: pitch, -1 off, -2 hold) <input name="primer" value="[60, -2, 62, -2, 64, -2, 65]"></label>
    <label>…or a MIDI file <input name="midi" type="file" accept=".mid,.midi,audio/midi"></label>
    <div class="row">
      <label>Temperature <input name="temperature" type="number" step="0.1" min="0.1" max="10" value="1"></label>
      <label>Length <input name="length" type="number" min="1" max="4096" value="64"></label>
      <label>Outputs <input name="count" type="number" min="1" max="16" value="2"></label>
      <label>Seed <input name="seed" type="number" min="0" value="0"></label>
    </div>
    <button type="submit">Continue</button>
  </form>
</section>
<section id="panel-generate" class="panel" hidden>
  <form id="form-generate">
    <label>Bundle <select name="bundle" data-kinds="music-vae music-transformer"></select></label>
    <div class="row">
      <label>Temperature <input name="temperature" type="number" step="0.1" min="0" max="10" value="0.5"></label>
      <label>Length (Transformer) <input name="length" type="number" min="1" max="4096" value="256"></label>
      <label>Outputs <input name="count" type="number" min="1" max="16" value="4"></label>
      <label>Seed <input name="seed" type="number" min="0" value="0"></label>
    </div>
    <button type="submit">Generate</button>
  </form>
</section>
<section id="panel-interpolate" class="panel" hidden>
  <form id="form-interpolate">
    <label>Bundle <select name="bundle" data-kinds="music-vae spectrogram-vae spectrogram-sequence-vae"></select></label>
    <label>Start (MIDI or audio) <input name="a" type="file" accept=".mid,.midi,.wav,.flac,.ogg"></label>
    <label>End <input name="b" type="file" accept=".mid,.midi,.wav,.flac,.ogg"></label>
    <div class="row">
      <label>Steps <input name="steps" type="number" min="2" max="32" value="5"></label>
      <label>Temperature <input name="temperature" type="number" step="0.1" min="0" max="10" value="0.5"></label>
      <label>Audio mode <select name="mode"><option>steps</option><option>morph</option></select></label>
      <label class="check"><input name="slerp" type="checkbox"> slerp</label>
    </div>
    <button type="submit">Interpolate</button>
  </form>
</section>
<section id="job" hidden>
  <div class="row"><progress id="progress" max="1" value="0"></progress><button id="cancel" type="button">Cancel</button></div>
  <p id="job-message"></p>
</section>
<section>
  <h2>Results</h2>
  <div id="results" class="cards"><p class="muted">Nothing yet.</p></div>
</section>
</main>
<footer>Limits: MIDI uploads 2 MB, audio 20 MB. API: <a href="/api/openapi.json">/api/openapi.json</a></footer>
<script src="/studio.js"></script>
</body>
</html>
"""#
}
