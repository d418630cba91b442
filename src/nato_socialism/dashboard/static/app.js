// The dashboard page: asks the server (same origin, 127.0.0.1) for figures as JSON and draws
// them with the plotly.js the server ships; it fetches nothing else.
(function(){
"use strict";
const $ = function(id){ return document.getElementById(id); };
const S = {run: null, info: null, template: null, mapYear: null, country: null, teach: null, timer: null,
           seenDone: {}, form: null};
let session = sessionStorage.getItem("ns-session");
if (!session){ session = Math.random().toString(36).slice(2, 12); sessionStorage.setItem("ns-session", session); }
window.dashboardSession = session;

function answer(r){
  return r.json().catch(function(){ return {error: r.status + " " + r.statusText}; }).then(function(body){
    if (!r.ok) throw new Error(body.error || (r.status + " " + r.statusText));
    return body;
  });
}
function api(path, options){ return fetch(path, options).then(answer); }
function q(params){
  return "?" + Object.keys(params).filter(function(k){ return params[k] !== null && params[k] !== undefined; })
    .map(function(k){ return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
}
function showError(box, err){
  const el = $(box);
  if (err){ el.textContent = err.message || String(err); el.hidden = false; } else { el.textContent = ""; el.hidden = true; }
}
function plot(div, fig){
  return S.formLoaded.then(function(){  // the figures' template comes with the form
    const layout = Object.assign({}, fig.layout, {template: S.template, autosize: true});
    return Plotly.react(div, fig.data, layout, {responsive: true, displaylogo: false});
  });
}
function options(select, items, value){
  select.innerHTML = "";
  items.forEach(function(it){
    const o = document.createElement("option");
    o.value = it.value; o.textContent = it.label; select.appendChild(o);
  });
  if (value !== undefined && value !== null) select.value = String(value);
}
function plain(list){ return list.map(function(x){ return {value: x, label: String(x)}; }); }

// ------------------------------------------------------------------ tabs
document.querySelectorAll("#tabs button").forEach(function(b){
  b.addEventListener("click", function(){
    document.querySelectorAll("#tabs button").forEach(function(x){ x.classList.toggle("active", x === b); });
    document.querySelectorAll(".tab").forEach(function(t){ t.hidden = t.id !== "tab-" + b.dataset.tab; });
    if (b.dataset.tab === "compare") drawCompare();
    if (b.dataset.tab === "teach") loadTeach();
    if (b.dataset.tab === "analysis") drawAnalysis();
    window.dispatchEvent(new Event("resize"));
  });
});

// ------------------------------------------------------------------ stored runs
function loadRuns(select, early){
  const asked = early && early.runs ? Promise.resolve(early.runs) : api("/api/runs");
  return asked.then(function(runs){
    const sel = $("run-select");
    options(sel, runs.map(function(r){
      return {value: r.run_id, label: r.run_id + " · " + r.scenario + " · " + r.members + " members · " + r.status};
    }));
    $("runs-hint").textContent = runs.length ? runs.length + " runs" :
      "No runs in this results directory yet: start one below, or with `nato-socialism run`.";
    const pick = select || S.run || (runs.length ? runs[0].run_id : null);
    if (pick){ sel.value = pick; if (pick !== S.run || select) return openRun(pick, early); }
  }).catch(function(err){ showError("view-error", err); });
}
$("run-select").addEventListener("change", function(){ openRun($("run-select").value); });
$("runs-refresh").addEventListener("click", function(){ loadRuns(); });

function openRun(runId, early){
  S.run = runId; S.country = null; $("country").hidden = true; stopTeach();
  const ready = early && early.info && early.info.run_id === runId ? early : null;  // asked for by index.html
  return (ready ? Promise.resolve(ready.info) : api("/api/run/" + runId + "/info")).then(function(info){
    S.info = info;
    showError("view-error", null);
    $("run-title").textContent = "Run " + info.run_id + " · " + info.scenario + " · " + info.doctrines.join(", ") +
      " · " + info.members + " members · " + info.years[0] + "–" + info.years[1] + " · " + info.status;
    $("summary").textContent = "reading the run...";
    options($("map-mode"), info.modes.map(function(m){ return {value: m.name, label: m.label}; }), info.default_mode);
    options($("map-doctrine"), plain(info.doctrines), info.reference);
    options($("map-member"), plain(info.kept_members), info.kept_members[0]);
    options($("compare-reference"), plain(info.doctrines), info.reference);
    options($("teach-doctrine"), plain(info.doctrines), info.reference);
    options($("teach-member"), plain(info.kept_members), info.kept_members[0]);
    options($("country-variable"), info.fan_variables.map(function(v){ return {value: v.name, label: v.label}; }));
    [$("map-year"), $("teach-year")].forEach(function(s){ s.min = info.years[0]; s.max = info.years[1]; });
    $("map-year").value = info.years[1];
    S.teach = null;
    const first = info.map ? drawMap(ready && ready.map) : Promise.resolve(Plotly.purge($("map")));
    return first.then(function(){
      if (!$("tab-compare").hidden) drawCompare();
      if (!$("tab-teach").hidden) loadTeach();
      if (!$("tab-analysis").hidden) drawAnalysis();
      loadSummary(runId, info.map);  // the whole run, read after the first screen
    });
  }).catch(function(err){ showError("view-error", err); });
}

function loadSummary(runId, hasMap){
  return api("/api/run/" + runId + "/summary").then(function(sm){
    if (S.run !== runId) return;
    $("summary").innerHTML = sm.html;  // built and escaped by the server (the report's summary)
    if (!hasMap) showError("view-error", new Error("This run has no map. " + sm.missing.join(" ")));
  }).catch(function(err){ showError("view-error", err); });
}

// ------------------------------------------------------------------ map and country panel
function mapState(){
  const mode = $("map-mode").value;
  const m = S.info.modes.find(function(x){ return x.name === mode; });
  $("map-member-box").hidden = !m || m.source !== "member";
  return {mode: mode, doctrine: $("map-doctrine").value, year: $("map-year").value, member: $("map-member").value || 0};
}
let mapSeq = 0;
function drawMap(ready){
  const st = mapState(), seq = ++mapSeq;
  $("map-year-shown").textContent = st.year;
  const asked = ready && ready.data ? Promise.resolve(ready) : api("/api/run/" + S.run + "/map" + q(st));
  return asked.then(function(fig){
    if (seq !== mapSeq) return;  // a newer request is on its way
    return plot($("map"), fig).then(function(div){
      div.dataset.year = st.year; div.dataset.run = S.run; div.dataset.mode = st.mode;
      if (!div._nsClick){
        div._nsClick = true;
        div.on("plotly_click", function(ev){
          const p = ev.points && ev.points[0];
          if (p) openCountry(p.location || p.customdata);
        });
      }
      if (S.country) drawCountry();
    });
  }).catch(function(err){ showError("view-error", err); });
}
["map-mode", "map-doctrine", "map-member"].forEach(function(id){ $(id).addEventListener("change", drawMap); });
$("map-year").addEventListener("input", drawMap);

function openCountry(iso3){ if (!iso3) return; S.country = iso3; drawCountry(); }
function drawCountry(){
  const st = mapState();
  const args = {iso3: S.country, variable: $("country-variable").value || "support", doctrine: st.doctrine,
                member: $("map-member").value || (S.info.kept_members[0] || 0), year: st.year};
  return api("/api/run/" + S.run + "/country" + q(args)).then(function(c){
    $("country").hidden = false;
    $("country-name").textContent = c.name + " (" + c.iso3 + ")";
    $("country-name").dataset.iso3 = c.iso3;
    const notes = $("country-notes"); notes.innerHTML = "";
    c.notes.forEach(function(n){ const li = document.createElement("li"); li.textContent = n; notes.appendChild(li); });
    const jobs = [];
    if (c.fan) jobs.push(plot($("country-fan"), c.fan)); else Plotly.purge($("country-fan"));
    if (c.why) jobs.push(plot($("country-why"), c.why)); else Plotly.purge($("country-why"));
    return Promise.all(jobs);
  }).catch(function(err){ showError("view-error", err); });
}
$("country-variable").addEventListener("change", drawCountry);

// ------------------------------------------------------------------ compare
function drawCompare(){
  if (!S.run) return;
  return api("/api/run/" + S.run + "/compare" + q({reference: $("compare-reference").value})).then(function(c){
    $("compare-note").textContent = c.note;
    if (c.figure) plot($("forest"), c.figure); else Plotly.purge($("forest"));
    const t = $("compare-table"); t.innerHTML = "";
    if (!c.rows.length) return;
    const head = t.createTHead().insertRow();
    ["outcome", "unit", "better"].concat(c.rivals.map(function(r){ return c.reference + " vs " + r; }))
      .forEach(function(h){ const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
    const body = t.createTBody();
    c.rows.forEach(function(r){
      const tr = body.insertRow();
      [r.outcome, r.unit, r.better].concat(c.rivals.map(function(d){ return r[d]; }))
        .forEach(function(v){ tr.insertCell().textContent = v; });
    });
  }).catch(function(err){ showError("view-error", err); });
}
$("compare-reference").addEventListener("change", drawCompare);

// ------------------------------------------------------------------ analysis (sensitivity, discovery, optimization)
function drawAnalysis(){
  if (!S.run) return;
  const runId = S.run;
  $("analysis-note").textContent = "reading the run...";
  return api("/api/run/" + runId + "/analysis").then(function(a){
    if (S.run !== runId) return;
    $("analysis-note").textContent = a.note;
    const box = $("analysis"); box.innerHTML = "";
    return Promise.all(a.figures.map(function(f){
      const div = document.createElement("div"); div.className = "plot"; div.dataset.figure = f.id;
      const cap = document.createElement("p"); cap.className = "hint"; cap.textContent = f.caption;
      box.appendChild(div); box.appendChild(cap);
      return plot(div, f.figure);
    }));
  }).catch(function(err){ showError("view-error", err); });
}

// ------------------------------------------------------------------ teaching mode
function loadTeach(){
  if (!S.info) return;
  stopTeach();
  if (!S.info.kept_members.length){
    $("teach-now").textContent = "This run kept no member trajectories: teaching mode needs one (--keep-trajectories 1).";
    return;
  }
  const args = {doctrine: $("teach-doctrine").value, member: $("teach-member").value};
  return api("/api/run/" + S.run + "/teach" + q(args)).then(function(t){
    S.teach = t;
    $("teach-year").value = t.years[0];
    $("teach-log").innerHTML = "";
    return teachAt(t.years[0]);
  }).catch(function(err){ showError("view-error", err); });
}
function teachAt(year){
  const t = S.teach;
  $("teach-year").value = year; $("teach-year-shown").textContent = year;
  const step = t.steps.find(function(s){ return s.year === +year; });
  $("teach-now").textContent = step ? step.text : year + ": no change to explain.";
  const log = $("teach-log");
  if (step && !log.querySelector('[data-year="' + year + '"]')){
    const li = document.createElement("li"); li.dataset.year = year; li.textContent = step.text;
    log.insertBefore(li, log.firstChild);
  }
  const args = {mode: "regime", doctrine: t.doctrine, member: t.member, year: year};
  return api("/api/run/" + S.run + "/map" + q(args)).then(function(fig){
    return plot($("teach-map"), fig).then(function(div){ div.dataset.year = year; });
  });
}
function stopTeach(){
  if (S.timer){ clearTimeout(S.timer); S.timer = null; }
  $("teach-play").textContent = "play";
}
function tick(){
  const t = S.teach, next = +$("teach-year").value + 1;
  if (!t || next > t.years[1]){ stopTeach(); return; }
  teachAt(next).then(function(){
    if (next >= t.years[1]) stopTeach();  // the last year: stop here
    else if (S.timer) S.timer = setTimeout(tick, 700);
  });
}
$("teach-play").addEventListener("click", function(){
  if (S.timer){ stopTeach(); return; }
  if (!S.teach) return;
  if (+$("teach-year").value >= S.teach.years[1]){ $("teach-log").innerHTML = ""; $("teach-year").value = S.teach.years[0]; }
  $("teach-play").textContent = "pause";
  S.timer = setTimeout(tick, 10);
});
$("teach-year").addEventListener("input", function(){ stopTeach(); if (S.teach) teachAt(+$("teach-year").value); });
["teach-doctrine", "teach-member"].forEach(function(id){ $(id).addEventListener("change", loadTeach); });

// ------------------------------------------------------------------ the scenario panel
function loadForm(){
  const asked = window.earlyForm ? window.earlyForm.then(answer) : api("/api/form");  // index.html asked early
  return asked.then(function(f){
    S.form = f; S.template = f.template;
    options($("f-scenario"), plain(f.scenarios), "default");
    const box = $("f-doctrines");
    f.doctrines.forEach(function(d){
      const l = document.createElement("label"), c = document.createElement("input");
      c.type = "checkbox"; c.value = d; c.name = "doctrine"; c.checked = f.default_doctrines.indexOf(d) >= 0;
      l.appendChild(c); l.appendChild(document.createTextNode(" " + d)); box.appendChild(l);
    });
    $("f-members").value = f.members; $("f-years").value = f.years; $("f-seed").value = f.seed;
    $("f-ranked").textContent = "Most influential parameters, ranked by " + f.ranked_by +
      ". Unticked: sampled over its plausible range; ticked: fixed at the slider's value.";
    f.sliders.forEach(function(p){ $("f-sliders").appendChild(slider("p", p, p.unit + "; plausible range " +
      p.low + " to " + p.high + "; source: " + p.source + ". " + p.doc)); });
    f.controls.forEach(function(c){ $("f-controls").appendChild(slider("c", c, c.doc + " (" + c.low + " to " +
      c.high + ")")); });
  });
}
function slider(kind, p, about){
  const d = document.createElement("div"); d.className = "slider"; d.title = about;
  const fix = document.createElement("input"); fix.type = "checkbox"; fix.id = "fix-" + kind + "-" + p.name;
  const r = document.createElement("input"); r.type = "range"; r.id = "f-" + kind + "-" + p.name;
  r.min = p.low; r.max = p.high; r.step = (p.high - p.low) / 100 || 0.01; r.value = p.default;
  r.dataset.kind = kind; r.dataset.name = p.name;
  const v = document.createElement("input"); v.type = "text"; v.size = 7; v.value = p.default; v.id = "v-" + kind + "-" + p.name;
  r.addEventListener("input", function(){ v.value = String(+(+r.value).toPrecision(4)); fix.checked = true; });
  v.addEventListener("input", function(){ r.value = v.value; fix.checked = true; });
  const name = document.createElement("span"); name.className = "name"; name.textContent = p.name;
  d.appendChild(fix); d.appendChild(name); d.appendChild(document.createElement("br"));
  d.appendChild(r); d.appendChild(v);
  if (kind === "p"){ const u = document.createElement("span"); u.className = "hint"; u.textContent = " " + p.unit; d.appendChild(u); }
  return d;
}
function formRequest(){
  const doctrines = [].slice.call(document.querySelectorAll("#f-doctrines input:checked")).map(function(c){ return c.value; });
  const values = function(kind){
    const out = {};
    document.querySelectorAll("input[type=range][data-kind=" + kind + "]").forEach(function(r){
      if ($("fix-" + kind + "-" + r.dataset.name).checked){
        const text = $("v-" + kind + "-" + r.dataset.name).value.trim();
        out[r.dataset.name] = text === "" || isNaN(Number(text)) ? text : Number(text);
      }
    });
    return out;
  };
  return {session: session, scenario: $("f-scenario-path").value.trim() || $("f-scenario").value,
          doctrines: doctrines, members: $("f-members").value, years: $("f-years").value, seed: $("f-seed").value,
          parameters: values("p"), controls: values("c")};
}
$("run-form").addEventListener("submit", function(ev){
  ev.preventDefault();
  showError("form-error", null);
  $("f-submit").disabled = true;
  api("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(formRequest())})
    .then(function(){ return refreshJobs(); })
    .catch(function(err){ showError("form-error", err); })
    .finally(function(){ $("f-submit").disabled = false; });
});

// ------------------------------------------------------------------ the queue
function refreshJobs(){
  return api("/api/jobs").then(function(j){
    $("where").textContent = "results: " + j.results;
    const list = $("queue"); list.innerHTML = "";
    j.jobs.slice().reverse().forEach(function(job){
      const li = document.createElement("li");
      li.id = "job-" + job.id; li.dataset.status = job.status; li.dataset.run = job.run_id || "";
      li.className = job.session === session ? "mine" : "";
      const who = job.session === session ? "yours" : "another session";
      const where = job.status === "queued" ? " (position " + (job.position + 1) + ")" : "";
      li.appendChild(document.createTextNode(job.label + " · " + who + " · " + job.status + where +
        (job.run_id ? " · run " + job.run_id : "") + " "));
      if (job.status === "running" || job.status === "queued" || job.status === "waiting"){
        const p = document.createElement("progress"); p.max = job.total; p.value = job.done; li.appendChild(p);
        li.appendChild(document.createTextNode(" " + job.done + "/" + job.total + " "));
        const c = document.createElement("button"); c.type = "button"; c.textContent = "cancel"; c.className = "cancel";
        c.addEventListener("click", function(){ api("/api/jobs/" + job.id + "/cancel", {method: "POST"}).then(refreshJobs); });
        li.appendChild(c);
      }
      if (job.message){ const m = document.createElement("div"); m.className = "hint"; m.textContent = job.message; li.appendChild(m); }
      list.appendChild(li);
      if (job.session === session && job.status === "complete" && !S.seenDone[job.id]){
        S.seenDone[job.id] = true;
        loadRuns(job.run_id);  // show the new run
      }
    });
  }).catch(function(err){ showError("view-error", err); });
}

// ------------------------------------------------------------------ start
S.formLoaded = loadForm();  // the form and the newest run are asked for at once
Promise.all([S.formLoaded, (window.early || Promise.resolve(null)).then(function(early){
  return loadRuns(null, early);
})]).then(function(){
  window.dashboardReady = true;
  document.body.dataset.ready = "1";
}).catch(function(err){ showError("view-error", err); });
refreshJobs();
setInterval(refreshJobs, 700);
})();
