/* The search dialog (overrides/narrative/search-dialog.html): opened by the header's button, it loads Pagefind
   (pagefind/pagefind.js) the first time, then fetches only the index chunks each query needs and the few
   results it shows. The browser's <dialog> keeps focus inside and closes on Escape; this script returns focus
   to the button, announces every answer in a status region, and moves focus to the first new result when more
   are shown. Nothing here runs without JavaScript: the header then offers plain links instead. */
(function () {
  "use strict";

  var dialog = document.getElementById("nv-search");
  var opener = document.querySelector("[data-nv-search-open]");
  if (!dialog || !opener || typeof dialog.showModal !== "function") return;

  var PAGE = 10;
  var WAIT = 250;
  var form = dialog.querySelector("[data-nv-search-form]");
  var input = dialog.querySelector("#nv-search-query");
  var topic = dialog.querySelector("#nv-search-topic");
  var kind = dialog.querySelector("#nv-search-kind");
  var status = dialog.querySelector("#nv-search-status");
  var list = dialog.querySelector("#nv-search-results");
  var more = dialog.querySelector("[data-nv-search-more]");
  var root = new URL(dialog.getAttribute("data-nv-root"), location.href);
  var pagefind = null;
  var asked = 0;
  var results = [];
  var shown = 0;
  var timer = 0;
  var current = "";

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname, bundlePath: new URL("pagefind/", root).pathname })
          .then(function () { return module.init(); })
          .then(function () { return module; });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  function say(text) {
    status.textContent = text;
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
    if (meta.summary) item.appendChild(element("p", "nv-search__result-summary", meta.summary));
    var topics = (found.filters && found.filters.topic) || [];
    if (topics.length) {
      item.appendChild(element("p", "nv-search__result-topics", (topics.length === 1 ? "Topic: " : "Topics: ")
        + topics.join(", ")));
    }
    return item;
  }

  function showMore(question, term, focusFirst) {
    var next = results.slice(shown, shown + PAGE);
    return Promise.all(next.map(function (result) { return result.data(); })).then(function (found) {
      if (question !== asked) return;
      var items = found.map(render);
      items.forEach(function (item) { list.appendChild(item); });
      shown += items.length;
      more.hidden = shown >= results.length;
      var total = count(results.length) + " for \u201c" + term + "\u201d" + scope();
      say(more.hidden ? total + "."
        : total + ", showing " + shown + ". Use \u201cShow more results\u201d for the rest.");
      if (focusFirst && items.length) items[0].querySelector("a").focus();
    });
  }

  function search() {
    clearTimeout(timer);
    var term = input.value.trim();
    var question = ++asked;
    current = term;
    if (!term) {
      results = [];
      shown = 0;
      list.replaceChildren();
      more.hidden = true;
      say("Type a word to search the stories and pledge updates.");
      return;
    }
    load().then(function (module) {
      return module.search(term, { filters: filters() });
    }).then(function (found) {
      if (question !== asked) return;
      results = found.results;
      shown = 0;
      list.replaceChildren();
      if (!results.length) {
        more.hidden = true;
        say("Nothing found for \u201c" + term + "\u201d" + scope()
          + ". Try another word, or browse the stories below.");
        return;
      }
      return showMore(question, term, false);
    }).catch(function () {
      if (question !== asked) return;
      more.hidden = true;
      say("Search is not working right now. You can still browse all stories, or stories by topic, below.");
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
  topic.addEventListener("change", search);
  kind.addEventListener("change", search);
  more.addEventListener("click", function () {
    showMore(asked, current, true);
  });
})();
