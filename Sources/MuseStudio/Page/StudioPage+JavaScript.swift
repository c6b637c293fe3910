extension StudioPage {
    /// `GET /studio.js`: lists bundles, submits the panels' jobs, polls them, shows results and
    /// draws training curves. Plain JavaScript, no libraries.
    public static let javascript = #"""
"use strict";
const $ = (sel) => document.querySelector(sel);
let bundles = [];
let selected = null;
let currentJob = null;

function setStatus(text, isError) {
  const s = $("#status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

async function api(path, options) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error((body && body.error) || ("HTTP " + response.status));
  return body;
}

function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children || []) e.appendChild(c);
  return e;
}

function formatMetrics(m) {
  return Object.entries(m || {}).map(([k, v]) => k + " " + (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4))).join(", ");
}

async function loadBundles() {
  try {
    bundles = (await api("/api/bundles")).bundles;
  } catch (e) {
    setStatus("cannot list bundles: " + e.message, true);
    return;
  }
  const box = $("#bundles");
  box.innerHTML = "";
  if (bundles.length === 0) box.appendChild(el("p", { class: "muted", text: "No bundles under the runs folder. Train one (make demo) and reload." }));
  for (const b of bundles) {
    const card = el("div", { class: "card bundle", "data-id": b.id, tabindex: "0" }, [
      el("strong", { text: b.id }), el("div", { class: "kind", text: b.kind + (b.step != null ? " · step " + b.step : "") }),
      el("div", { class: "metrics", text: formatMetrics(b.metrics) })
    ]);
    card.addEventListener("click", () => selectBundle(b.id));
    box.appendChild(card);
  }
  for (const select of document.querySelectorAll("select[data-kinds]")) {
    const kinds = select.dataset.kinds.split(" ");
    select.innerHTML = "";
    for (const b of bundles.filter((b) => kinds.includes(b.kind))) select.appendChild(el("option", { value: b.id, text: b.id + " (" + b.kind + ")" }));
  }
  setStatus(bundles.length + " bundle" + (bundles.length === 1 ? "" : "s"));
}

function selectBundle(id) {
  selected = bundles.find((b) => b.id === id);
  for (const card of document.querySelectorAll(".bundle")) card.classList.toggle("selected", card.dataset.id === id);
  if (!selected) return;
  for (const select of document.querySelectorAll("select[data-kinds]")) {
    if ([...select.options].some((o) => o.value === id)) select.value = id;
  }
  const panel = selected.kind === "music-vae" ? "generate" : selected.kind.startsWith("spectrogram") ? "interpolate" : "continue";
  showPanel(panel);
  if (selected.checkpoints > 0) drawCurves(id); else $("#chart-box").hidden = true;
}

function showPanel(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.panel === name);
  for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== "panel-" + name;
}

const colors = ["#6cb4ff", "#ffb86c", "#8be98b", "#ff7eb6", "#c9a0ff", "#f1fa8c"];
async function drawCurves(id) {
  let data;
  try { data = await api("/api/runs/" + encodeURIComponent(id) + "/metrics"); } catch (e) { $("#chart-box").hidden = true; return; }
  // Loss curves share a scale; counts (eval_steps, clips) would flatten them, so losses only when there are any.
  let names = Object.keys(data.series).filter((n) => data.series[n].length > 0).sort();
  if (names.some((n) => n.includes("loss"))) names = names.filter((n) => n.includes("loss"));
  $("#chart-box").hidden = names.length === 0;
  $("#chart-title").textContent = "Training of " + id;
  const canvas = $("#chart"), g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, pad = 36;
  g.clearRect(0, 0, W, H);
  const points = names.flatMap((n) => data.series[n]);
  if (points.length === 0) return;
  let x0 = Math.min(...points.map((p) => p.step)), x1 = Math.max(...points.map((p) => p.step));
  let y0 = Math.min(...points.map((p) => p.value)), y1 = Math.max(...points.map((p) => p.value));
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const X = (s) => pad + (W - pad - 8) * (s - x0) / (x1 - x0), Y = (v) => H - pad + (pad + 8 - H) * (v - y0) / (y1 - y0);
  g.strokeStyle = "#444"; g.fillStyle = "#aaa"; g.font = "11px sans-serif";
  g.beginPath(); g.moveTo(pad, 8); g.lineTo(pad, H - pad); g.lineTo(W - 8, H - pad); g.stroke();
  g.fillText(y1.toPrecision(3), 2, 14); g.fillText(y0.toPrecision(3), 2, H - pad);
  g.fillText("step " + x0, pad, H - pad + 14); g.fillText("step " + x1, W - 70, H - pad + 14);
  const legend = $("#legend");
  legend.innerHTML = "";
  names.forEach((n, i) => {
    const c = colors[i % colors.length], pts = data.series[n];
    g.strokeStyle = c; g.fillStyle = c; g.lineWidth = 2;
    g.beginPath();
    pts.forEach((p, k) => k === 0 ? g.moveTo(X(p.step), Y(p.value)) : g.lineTo(X(p.step), Y(p.value)));
    g.stroke();
    for (const p of pts) g.fillRect(X(p.step) - 2, Y(p.value) - 2, 4, 4);
    legend.appendChild(el("span", { style: "color:" + c, text: "■ " + n }));
  });
}

async function upload(file, kind) {
  const info = await api("/api/uploads?kind=" + kind, { method: "POST", body: file, headers: { "content-type": "application/octet-stream" } });
  return info.id;
}

function field(form, name) {
  // namedItem, not form.elements[name]: "length" would be the number of controls.
  return form.elements.namedItem(name);
}

function numberField(form, name) {
  const f = field(form, name), v = f && f.value;
  return v === "" || v == null ? undefined : Number(v);
}

async function submit(panel) {
  const form = $("#form-" + panel);
  const body = { bundle: form.elements.bundle.value };
  if (!body.bundle) { setStatus("pick a bundle first (none of a kind this panel uses?)", true); return; }
  for (const name of ["temperature", "length", "count", "seed", "steps"]) {
    const v = numberField(form, name);
    if (v !== undefined) body[name] = v;
  }
  try {
    if (panel === "continue") {
      const file = form.elements.midi.files[0];
      if (file) body.primerUpload = await upload(file, "midi");
      else if (bundles.find((b) => b.id === body.bundle)?.kind === "melody-rnn") body.primer = form.elements.primer.value;
    }
    if (panel === "interpolate") {
      const a = form.elements.a.files[0], b = form.elements.b.files[0];
      if (!a || !b) throw new Error("choose two files");
      const kind = /\.midi?$/i.test(a.name) ? "midi" : "audio";
      body.a = await upload(a, kind);
      body.b = await upload(b, kind);
      body.mode = form.elements.mode.value;
      body.slerp = form.elements.slerp.checked;
    }
    const job = await api("/api/" + panel, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    follow(job.id);
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function follow(id) {
  currentJob = id;
  $("#job").hidden = false;
  for (;;) {
    let job;
    // A long poll: the server answers as soon as the job changes, or after 5 s.
    try { job = await api("/api/jobs/" + id + "?wait=5"); } catch (e) { setStatus(e.message, true); return; }
    $("#progress").value = job.progress;
    $("#job-message").textContent = job.kind + ": " + job.message;
    if (["done", "failed", "cancelled"].includes(job.state)) {
      setStatus(job.state === "done" ? job.kind + " done" : job.kind + " " + job.state + ": " + job.message, job.state === "failed");
      if (job.results.length > 0) showResults(job);
      currentJob = null;
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function checkPicture(img) {
  // Marks a loaded picture that is not a single colour (data-blank="0"), so a test can tell.
  try {
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let distinct = false;
    for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) { distinct = true; break; }
    img.dataset.blank = distinct ? "0" : "1";
  } catch (e) { img.dataset.blank = "?"; }
}

function showResults(job) {
  const box = $("#results");
  if (box.querySelector(".muted")) box.innerHTML = "";
  for (const r of job.results.slice().reverse()) {
    const img = el("img", { class: "roll", alt: r.midi ? "piano roll" : "spectrogram", src: r.png });
    img.addEventListener("load", () => checkPicture(img));
    const links = el("div", {}, []);
    if (r.midi) links.appendChild(el("a", { href: r.midi, download: "", text: ".mid" }));
    links.appendChild(el("a", { href: r.wav, download: "", text: ".wav" }));
    const info = (r.notes != null ? r.notes + " notes, " : "") + r.seconds.toFixed(1) + " s";
    box.prepend(el("div", { class: "card result" }, [
      el("strong", { text: r.title }), el("div", { class: "metrics", text: job.id + " · " + info }),
      img, el("audio", { controls: "", preload: "none", src: r.wav }), links
    ]));
  }
}

$("#cancel").addEventListener("click", async () => {
  if (currentJob) { try { await api("/api/jobs/" + currentJob, { method: "DELETE" }); } catch (e) { setStatus(e.message, true); } }
});
for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showPanel(b.dataset.panel));
for (const panel of ["continue", "generate", "interpolate"]) {
  $("#form-" + panel).addEventListener("submit", (event) => { event.preventDefault(); submit(panel); });
}

(async () => {
  await loadBundles();
  const q = new URLSearchParams(location.search);
  const panel = q.get("panel");
  if (q.get("bundle")) selectBundle(q.get("bundle"));
  if (panel && $("#form-" + panel)) {
    showPanel(panel);
    const form = $("#form-" + panel);
    for (const [k, v] of q.entries()) {
      const f = field(form, k);
      if (f && f.type !== "file" && f.type !== "checkbox") f.value = v;
    }
    if (q.get("go") === "1") submit(panel);
  }
})();
"""#
}
