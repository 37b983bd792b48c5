/* The search dialog (narrative/search-dialog.html): opened by the header's button, it loads Pagefind
   the first time, then fetches only the index chunks each query needs and the few results it shows. A large
   archive is indexed in parts (data-nv-parts, newest first): a query reads the newest part alone, and the
   others join in, merged by Pagefind into one ranking, when the reader asks for earlier stories or when the
   newest part has nothing. The browser's <dialog> keeps focus inside and closes on Escape; this script
   returns focus to the button, announces every answer in a status region, and moves focus to the first new
   result when more are shown. Until this script runs (without JavaScript, or where the browser has no
   <dialog>), the header offers plain links instead, which it then hides.
   Pagefind answers "nothing found" when a chunk of its index fails to load (blocked, or the network dropped):
   it logs the failure and carries on. So Pagefind runs in the page (noWorker), where this script watches its
   fetches, and an answer given while a file of the index failed to load is said to be unfinished, never
   "nothing found". */
(function () {
  "use strict";

  var dialog = document.getElementById("nv-search");
  var opener = document.querySelector("[data-nv-search-open]");
  if (!dialog || !opener || typeof dialog.showModal !== "function") return;

  var PAGE = 10;
  var WAIT = 250;
  var SLOW = 500;
  var GIVE_UP = 15000;
  var form = dialog.querySelector("[data-nv-search-form]");
  var input = dialog.querySelector("#nv-search-query");
  var topic = dialog.querySelector("#nv-search-topic");
  var kind = dialog.querySelector("#nv-search-kind");
  var status = dialog.querySelector("#nv-search-status");
  var list = dialog.querySelector("#nv-search-results");
  var more = dialog.querySelector("[data-nv-search-more]");
  var earlier = dialog.querySelector("[data-nv-search-earlier]");
  var root = new URL(dialog.getAttribute("data-nv-root"), location.href);
  var parts = JSON.parse(dialog.getAttribute("data-nv-parts") || "[]");
  var everything = parts.length <= 1;
  var pagefind = null;
  var widened = null;
  var asked = 0;
  var results = [];
  var shown = 0;
  var timer = 0;
  var waiting = [];
  var fetching = false;
  var current = "";
  var failures = 0;
  var destroyed = Promise.resolve();
  var indexPaths = parts.map(function (part) { return new URL(part.path, root).pathname; });

  function counted(input, answer) {
    var path = new URL(input instanceof Request ? input.url : String(input), location.href).pathname;
    var ours = indexPaths.some(function (indexPath) { return path.indexOf(indexPath) === 0; });
    if (ours) {
      answer.then(function (response) { if (!response.ok) failures += 1; }, function () { failures += 1; });
    }
    return answer;
  }

  var pageFetch = window.fetch;
  window.fetch = function (input) { return counted(input, pageFetch.apply(this, arguments)); };

  function whole(promise) {
    /* What `promise` gives, unless a file of the index failed to load meanwhile. */
    var before = failures;
    return promise.then(function (value) {
      if (failures !== before) throw new Error("part of the index did not load");
      return value;
    });
  }

  function reset() {
    /* Pagefind keeps a chunk that failed as if it were empty: a search tried again starts a fresh Pagefind. */
    var old = pagefind;
    pagefind = null;
    widened = null;
    everything = parts.length <= 1;
    if (old) destroyed = old.then(function (module) { return module.destroy(); }).catch(function () {});
  }

  function load() {
    if (!pagefind) {
      var bundle = parts.length ? new URL(parts[0].path, root) : null;
      pagefind = !bundle ? Promise.reject(new Error("nothing is indexed")) : whole(destroyed.then(function () {
        return import(new URL("pagefind.js", bundle).href);
      }).then(function (module) {
          return module.options({ baseUrl: root.pathname, bundlePath: bundle.pathname, noWorker: true })
            .then(function () { return module.init(); })
            .then(function () { return languages(module, parts[0]); })
            .then(function () { return module; });
        }));
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  // Pagefind keeps an index for each language in a part and opens the page's own: a part's other languages
  // (a story in Polish) are merged in by their full address, which Pagefind does not take for the same index.
  function languages(module, part) {
    return Promise.all((part.languages || []).map(function (language) {
      return module.mergeIndex(new URL(part.path, root).href,
                               { baseUrl: root.pathname, language: language, noWorker: true });
    }));
  }

  function widen() {
    if (!widened) {
      widened = load().then(function (module) {
        return whole(Promise.all(parts.slice(1).map(function (part) {
          return module.mergeIndex(new URL(part.path, root).pathname, { baseUrl: root.pathname, noWorker: true })
            .then(function () { return languages(module, part); });
        }))).then(function () {
          everything = true;
          return module;
        });
      });
      widened.catch(function () { widened = null; });
    }
    return widened;
  }

  function ask(term) {
    var chosen = { filters: filters() };
    return (everything ? widen() : load()).then(function (module) {
      return whole(module.search(term, chosen)).then(function (found) {
        if (found.results.length || everything) return found;
        return widen().then(function (all) { return whole(all.search(term, chosen)); });
      });
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function broken() {
    hideButtons();
    list.replaceChildren();
    say("Search could not finish, so it cannot say what it found. You can still browse all stories, or "
      + "stories by topic, below, or try again.");
  }

  function answered() {
    waiting.forEach(clearTimeout);
    waiting = [];
    list.removeAttribute("aria-busy");
  }

  function awaiting(question) {
    answered();
    list.setAttribute("aria-busy", "true");
    waiting = [setTimeout(function () { if (question === asked) say("Searching\u2026"); }, SLOW),
      setTimeout(function () { if (question === asked) broken(); }, GIVE_UP)];
  }

  function filters() {
    var chosen = {};
    if (topic.value) chosen.topic = topic.value;
    if (kind.value) chosen.kind = kind.value;
    return chosen;
  }

  function scope() {
    var words = [];
    if (kind.value === "Story") words.push("stories only");
    if (kind.value === "Pledge update") words.push("pledge updates only");
    if (topic.value) words.push("topic " + topic.value);
    return words.length ? " (" + words.join(", ") + ")" : "";
  }

  function hideButtons() {
    more.hidden = true;
    earlier.hidden = true;
  }

  function since() {
    return everything ? "" : " published since " + parts[0].from;
  }

  function count(number) {
    return number === 1 ? "1 result" : number + " results";
  }

  function element(name, className, text) {
    var made = document.createElement(name);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function render(found) {
    var meta = found.meta || {};
    var item = element("li", "nv-search__result");
    var heading = element("h3", "nv-search__result-title");
    var link = element("a", "", meta.title || found.url);
    link.href = found.url;
    if (meta.lang) link.lang = meta.lang;
    heading.appendChild(link);
    item.appendChild(heading);
    var about = element("p", "nv-search__result-meta");
    var kinds = (found.filters && found.filters.kind) || [];
    if (kinds.length) about.appendChild(element("span", "nv-search__result-kind", kinds[0]));
    if (meta.date) {
      if (kinds.length) about.appendChild(document.createTextNode(" · "));
      var date = element("time", "", meta.date);
      if (meta.iso_date) date.dateTime = meta.iso_date;
      about.appendChild(date);
    }
    item.appendChild(about);
    if (meta.summary) {
      var summary = element("p", "nv-search__result-summary", meta.summary);
      if (meta.lang) summary.lang = meta.lang;
      item.appendChild(summary);
    }
    var topics = (found.filters && found.filters.topic) || [];
    if (topics.length) {
      item.appendChild(element("p", "nv-search__result-topics", (topics.length === 1 ? "Topic: " : "Topics: ")
        + topics.join(", ")));
    }
    return item;
  }

  function showMore(question, term, focusFirst) {
    var next = results.slice(shown, shown + PAGE);
    fetching = true;
    return Promise.all(next.map(function (result) { return result.data(); })).then(function (found) {
      fetching = false;
      if (question !== asked) return;
      var items = found.map(render);
      items.forEach(function (item) { list.appendChild(item); });
      shown += items.length;
      more.hidden = shown >= results.length;
      earlier.hidden = everything;
      var total = count(results.length) + " for \u201c" + term + "\u201d" + since() + scope();
      say((more.hidden ? total + "."
        : total + ", showing " + shown + ". Use \u201cShow more results\u201d for the rest.")
        + (everything ? "" : " Use \u201cSearch earlier stories too\u201d to look further back."));
      if (focusFirst && items.length) items[0].querySelector("a").focus();
    }, function (error) {
      fetching = false;
      throw error;
    });
  }

  function search(focusFirst) {
    clearTimeout(timer);
    var term = input.value.trim();
    var question = ++asked;
    current = term;
    if (!term) {
      answered();
      results = [];
      shown = 0;
      list.replaceChildren();
      hideButtons();
      say("Type a word to search the stories and pledge updates.");
      return;
    }
    awaiting(question);
    ask(term).then(function (found) {
      if (question !== asked) return;
      answered();
      results = found.results;
      shown = 0;
      list.replaceChildren();
      if (!results.length) {
        hideButtons();
        say("Nothing found for \u201c" + term + "\u201d" + scope()
          + ". Try another word, or browse the stories below.");
        return;
      }
      return showMore(question, term, focusFirst === true);
    }).catch(function () {
      if (question !== asked) return;
      answered();
      reset();
      broken();
    });
  }

  function open() {
    dialog.showModal();
    input.focus();
    input.select();
    load().catch(function () { /* said when the reader searches */ });
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  opener.hidden = false;
  document.querySelectorAll("[data-nv-search-links]").forEach(function (links) { links.hidden = true; });
  opener.addEventListener("click", open);
  dialog.querySelector("[data-nv-search-close]").addEventListener("click", close);
  dialog.addEventListener("close", function () { opener.focus(); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  dialog.addEventListener("click", function (event) {
    var box = dialog.getBoundingClientRect();
    var outside = event.clientX < box.left || event.clientX > box.right || event.clientY < box.top
      || event.clientY > box.bottom;
    if (event.target === dialog && outside) close();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, WAIT);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  topic.addEventListener("change", function () { search(); });
  kind.addEventListener("change", function () { search(); });
  more.addEventListener("click", function () {
    if (fetching) return;  /* a double click asks once */
    var question = asked;
    showMore(question, current, true).catch(function () {
      if (question === asked) say("More results cannot be shown right now. You can still browse all stories below.");
    });
  });
  earlier.addEventListener("click", function () {
    say("Searching earlier stories and updates\u2026");
    widen().then(function () { search(true); }, function () {
      say("Earlier stories cannot be searched right now. You can still browse all stories below.");
    });
  });
})();
