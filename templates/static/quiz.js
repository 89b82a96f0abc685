/* The bridge quiz. Scoring only adds rows of the build-time tables; site_src/scoring.py is its twin.
   No requests, no storage: answers live in the page and its share link. */
(function () {
  "use strict";
  var NO_RUNWAY = 1e9;

  function scores(t, a) {
    var sums = t.max.map(function () { return 0; });
    t.questions.forEach(function (q, i) {
      q.options[a[i]].points.forEach(function (p, r) { sums[r] += p; });
    });
    return sums.map(function (s, r) { var m = t.max[r]; return m ? Math.floor((200 * s + m) / (2 * m)) : 0; });
  }
  function runwayKey(t, a, r) {
    if (t.background_question === null) return NO_RUNWAY;
    var w = t.runway[a[t.background_question]][r];
    return w ? w[0] : NO_RUNWAY;
  }
  function ranking(t, a, s) {
    s = s || scores(t, a);
    return s.map(function (_, r) { return r; }).sort(function (x, y) {
      return (s[y] - s[x]) || (runwayKey(t, a, x) - runwayKey(t, a, y)) || (t.tie_break[x] - t.tie_break[y]);
    });
  }
  function flip(t, a, target) {
    var best = null;
    t.questions.forEach(function (q, i) {
      q.options.forEach(function (_, o) {
        if (o === a[i]) return;
        var b = a.slice(); b[i] = o;
        var s = scores(t, b), order = ranking(t, b, s);
        if (order[0] !== target) return;
        var margin = s[order[0]] - s[order[1]];
        if (!best || margin > best.margin) best = { question: i, option: o, margin: margin };
      });
    });
    return best;
  }
  function result(t, a) {
    var s = scores(t, a), order = ranking(t, a, s);
    return { scores: s, order: order, top: order[0], runner_up: order[1],
      near_tie: s[order[0]] - s[order[1]] <= t.near_tie, flip: flip(t, a, order[1]) };
  }
  function valid(t, a) {
    return a.length === t.questions.length && a.every(function (x, i) {
      return x === Math.floor(x) && x >= 0 && x < t.questions[i].options.length;
    });
  }
  var api = { scores: scores, ranking: ranking, flip: flip, result: result, valid: valid };
  if (typeof module === "object" && module.exports) { module.exports = api; return; }

  var doc = document, form = doc.getElementById("quiz"), data = doc.getElementById("quiz-tables");
  if (!form || !data) return;
  var t = JSON.parse(data.textContent), sets = form.querySelectorAll("fieldset"), n = sets.length;
  var heading = doc.getElementById("quiz-step"), nav = doc.getElementById("quiz-nav");
  var back = doc.getElementById("quiz-back"), next = doc.getElementById("quiz-next");
  var error = doc.getElementById("quiz-error"), out = doc.getElementById("quiz-result");
  var status = doc.getElementById("quiz-status"), notice = doc.getElementById("quiz-notice");
  var baseTitle = doc.title, step = 0;

  function el(tag, text, cls) {
    var e = doc.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function chosen(i) { var c = sets[i].querySelector("input:checked"); return c ? +c.value : -1; }
  function answers() { var a = []; for (var i = 0; i < n; i++) a.push(chosen(i)); return a; }
  function say(msg) { status.textContent = ""; setTimeout(function () { status.textContent = msg; }, 50); }

  function show(i, quiet) {
    step = i;
    for (var k = 0; k < n; k++) sets[k].hidden = k !== i;
    form.hidden = false; out.hidden = true; error.hidden = true;
    heading.textContent = "Step " + (i + 1) + " of " + n;
    doc.title = "Step " + (i + 1) + " of " + n + ": " + baseTitle;
    back.disabled = i === 0;
    next.textContent = i === n - 1 ? "See my result" : "Next";
    if (!quiet) heading.focus();
  }
  function label(i, o) { return sets[i].querySelectorAll("label")[o].textContent; }
  function row(dl, term, desc) { dl.appendChild(el("dt", term)); dl.appendChild(el("dd", desc)); }
  function link(role, text) { var a = el("a", text); a.href = "../" + role.url; return a; }

  function render(a) {
    var r = result(t, a), top = t.roles[r.top], run = t.roles[r.runner_up];
    out.textContent = "";
    var h = el("h2", "Your shortest bridge: " + top.title); h.id = "result-h"; h.tabIndex = -1;
    out.appendChild(h);
    if (r.near_tie) out.appendChild(el("p", "Near tie: " + run.title + " scored within " + t.near_tie +
      " points of " + top.title + ". Read both role pages before you choose.", "notice"));
    var list = el("ol", undefined, "scores");
    r.order.forEach(function (k) {
      var li = el("li"); li.appendChild(link(t.roles[k], t.roles[k].title));
      li.appendChild(doc.createTextNode(": " + r.scores[k] + " out of 100")); list.appendChild(li);
    });
    out.appendChild(list);
    var dl = el("dl", undefined, "facts"), bq = t.background_question, lq = t.level_question;
    if (bq !== null) row(dl, "Runway from your background", t.runway_text[a[bq]][r.top] ||
      "The source gives no runway figure for this path into " + top.title + ".");
    if (lq !== null) {
      var level = t.levels[a[lq]], bands = top.bands[level];
      row(dl, "Pay at your level (" + t.level_labels[level] + ")", bands ? bands.join("; ") :
        "The source gives no figure for this level.");
    }
    if (top.project) row(dl, "Run this at your current job first", top.project);
    var f = r.flip;
    row(dl, "Runner-up", run.title + ", " + r.scores[r.runner_up] + " out of 100");
    row(dl, "What would flip it", f ? "Answering \u201c" + label(f.question, f.option) + "\u201d to \u201c" +
      sets[f.question].querySelector("legend .q").textContent + "\u201d instead of \u201c" +
      label(f.question, a[f.question]) + "\u201d would put " + run.title + " on top." :
      "No single change of answer would put " + run.title + " on top.");
    out.appendChild(dl);
    var p = el("p"); p.appendChild(doc.createTextNode("Read more: ")); p.appendChild(link(top, top.title));
    p.appendChild(doc.createTextNode(" or ")); p.appendChild(link(run, run.title)); out.appendChild(p);
    var hash = "#v=" + t.version + "&a=" + a.join(".");
    history.replaceState(null, "", hash);
    var share = el("p"), input = el("input"); input.readOnly = true; input.value = location.href; input.id = "quiz-share";
    var lab = el("label", "Link to this result (it holds your answers, nothing else)"); lab.htmlFor = "quiz-share";
    share.appendChild(lab); share.appendChild(input); out.appendChild(share);
    var again = el("button", "Retake the quiz"); again.type = "button";
    again.addEventListener("click", function () {
      form.reset(); history.replaceState(null, "", location.pathname); show(0);
    });
    out.appendChild(again);
    form.hidden = true; out.hidden = false; doc.title = "Your result: " + top.title + ": " + baseTitle;
    h.focus(); say("Your result is ready: " + top.title + ".");
  }

  function restore(a) { a.forEach(function (o, i) { sets[i].querySelectorAll("input")[o].checked = true; }); }
  function fromHash() {
    var m = /^#v=([0-9a-f]+)&a=([0-9.]+)$/.exec(location.hash);
    if (!location.hash) return;
    var a = m ? m[2].split(".").map(Number) : [];
    if (!m || !valid(t, a)) { notice.textContent = "This share link is damaged or incomplete, so it cannot be scored. Start the quiz below."; notice.hidden = false; return; }
    if (m[1] !== t.version) {
      notice.textContent = "This link was made with an earlier version of the quiz (" + m[1] + "). Its weights have changed since, so the result may differ. ";
      var b = el("button", "Re-score these answers"); b.type = "button";
      b.addEventListener("click", function () { notice.hidden = true; restore(a); render(a); });
      notice.appendChild(b); notice.hidden = false; return;
    }
    restore(a); render(a);
  }

  form.classList.add("js"); heading.hidden = false; nav.hidden = false;
  back.addEventListener("click", function () { if (step > 0) show(step - 1); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (chosen(step) < 0) { error.textContent = "Choose an answer to go on."; error.hidden = false; sets[step].querySelector("input").focus(); return; }
    if (step < n - 1) show(step + 1); else render(answers());
  });
  show(0, true);
  fromHash();
})();
