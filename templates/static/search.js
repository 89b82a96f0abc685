// Site search on /search/: queries the Pagefind index the build wrote, entirely in the browser.
// Without JavaScript, or without an index (a preview build), the page keeps its list of every page.
const box = document.getElementById("search");
const input = document.querySelector("[data-search-input]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = box.dataset.root;

// Pagefind's excerpts are our own page text with <mark> around matches; keep only text and marks.
function excerpt(html) {
  const p = document.createElement("p");
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(document.createTextNode(node.textContent));
    }
  }
  return p;
}

async function start() {
  if (box.dataset.index !== "yes") return; // a preview build: no index to load, the page says so
  const unavailable = () => {
    box.hidden = true;
    document.getElementById("search-fallback").hidden = false;
    document.getElementById("search-note").textContent =
      "Search is not available in this copy of the site. Every page is listed below instead.";
  };
  let pagefind;
  try {
    pagefind = await import(new URL("../pagefind/pagefind.js", import.meta.url).href);
    await pagefind.init();
  } catch {
    unavailable();
    return;
  }
  box.hidden = false;
  let latest = 0;
  async function run(query) {
    const mine = ++latest;
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = "Type a word to search every page.";
      return;
    }
    let found, data;
    try {
      found = await pagefind.search(query);
      data = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
    } catch {
      unavailable();
      return;
    }
    if (mine !== latest) return; // a newer query has started
    list.replaceChildren(...data.map((d) => {
      const li = document.createElement("li");
      const h = document.createElement("h2");
      const a = document.createElement("a");
      a.href = root + d.url.replace(/^\//, "");
      a.textContent = d.meta.title;
      h.append(a);
      li.append(h, excerpt(d.excerpt));
      return li;
    }));
    const n = found.results.length;
    status.textContent = n === 0 ? `No page matches “${query}”.`
      : `${n} page${n === 1 ? "" : "s"} match “${query}”` + (n > 10 ? "; the first 10 are shown." : ".");
  }
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 200);
  });
  input.form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(input.value);
  });
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  document.getElementById("search-fallback").hidden = Boolean(query);
  input.addEventListener("input", () => { document.getElementById("search-fallback").hidden = Boolean(input.value); });
  run(query);
}

start();
