/* The share form as you type: how many characters are left, and each answer checked as you leave it (and
   again as you fix it) with the limits and words the page carries from the service's own rules; on sending,
   every problem at once in the summary at the top, which takes the focus. Without this script the service
   checks everything all the same and answers with the same summary. */
(function () {
  "use strict";
  var form = document.querySelector("[data-nv-share-form]");
  var summary = document.querySelector("[data-nv-error-summary]");
  if (!form || !summary) return;
  var title = document.title.replace(/^Error: /, "");

  function length(text) { return Array.from(text).length; }  // characters, as the service counts them

  /* The answer as the service reads it: trimmed, and each run of spaces and line breaks made one space
     unless the answer keeps its lines (data-nv-lines). */
  function tidied(control) {
    var value = control.value.trim();
    return "nvLines" in control.dataset ? value : value.split(/\s+/).join(" ");
  }

  function chosen(name) { return form.querySelectorAll('input[name="' + name + '"]:checked'); }

  function naming() { var choice = chosen("naming")[0]; return choice ? choice.value : ""; }

  function photoFor(alt) { return form.querySelector('[data-nv-alt="' + alt.id + '"]'); }

  /* The message for the answer named `name` (an input, a textarea or a group of choices), or "". */
  function problem(control) {
    if (control.matches("fieldset")) {
      return control.querySelector("input:checked") ? "" : control.dataset.nvMissing || "";
    }
    if (control.type === "file") {
      var file = control.files && control.files[0];
      return file && file.size > Number(control.dataset.nvMegabytes) * 1000000 ? control.dataset.nvTooBig : "";
    }
    var value = tidied(control);
    if (!value) {
      var photo = photoFor(control);
      var needed = control.name === "name" ? ["name", "initials"].indexOf(naming()) >= 0
        : photo ? photo.files.length > 0 : true;
      return needed && control.dataset.nvMissing ? control.dataset.nvMissing : "";
    }
    if (control.dataset.nvMax && length(value) > Number(control.dataset.nvMax)) return control.dataset.nvTooLong;
    if (control.dataset.nvEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return control.dataset.nvEmail;
    return "";
  }

  function nameOf(control) { return control.matches("fieldset") ? control.dataset.nvGroup : control.id; }

  function show(control, message) {
    var name = nameOf(control);
    var error = document.getElementById(name + "-error");
    var field = control.closest(".nv-field");
    if (!error || !field) return;
    error.hidden = !message;
    error.textContent = "";
    if (message) {
      var hidden = document.createElement("span");
      hidden.className = "nv-visually-hidden";
      hidden.textContent = "Error: ";
      error.append(hidden, message);
    }
    field.classList.toggle("nv-field--error", Boolean(message));
    var input = control.matches("fieldset") ? null : control;
    if (input) {
      if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
  }

  function check(control) { var message = problem(control); show(control, message); return message; }

  function controls() {
    return Array.from(form.querySelectorAll("fieldset[data-nv-group], .nv-input, .nv-file"));
  }

  function counted(input) {
    var count = document.getElementById(input.id + "-count");
    if (!count || !input.dataset.nvMax) return;
    var left = Number(input.dataset.nvMax) - length(tidied(input));
    count.hidden = false;
    count.classList.toggle("nv-charcount--over", left < 0);
    count.textContent = left >= 0 ? "You have " + left.toLocaleString("en-GB") + (left === 1 ? " character" : " characters") + " left"
      : "You have " + (-left).toLocaleString("en-GB") + (left === -1 ? " character" : " characters") + " too many";
  }

  function owner(target) { return target.closest("fieldset[data-nv-group]") || target; }

  function showing(control) {
    var error = document.getElementById(nameOf(control) + "-error");
    return error && !error.hidden;
  }

  var waiting = {};
  form.addEventListener("input", function (event) {
    var control = owner(event.target);
    if (control.matches(".nv-input")) {
      clearTimeout(waiting[control.id]);
      waiting[control.id] = setTimeout(function () { counted(control); }, 400);
      if (showing(control) || (control.dataset.nvMax && length(tidied(control)) > Number(control.dataset.nvMax))) {
        check(control);
      }
    }
  });
  form.addEventListener("change", function (event) {
    var control = owner(event.target);
    if (control.matches("fieldset[data-nv-group], .nv-file")) check(control);
    if (control.matches(".nv-file")) {
      var alt = document.getElementById(control.dataset.nvAlt);
      if (alt && showing(alt)) check(alt);
    }
    if (event.target.name === "naming" && showing(form.elements.name)) check(form.elements.name);
  });
  form.addEventListener("focusout", function (event) {
    var control = event.target;
    if (control.matches(".nv-input") && (control.value.trim() || showing(control))) check(control);
  });

  function summarise(problems) {
    var list = summary.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (found) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + found.name;
      link.textContent = found.message;
      item.append(link);
      list.append(item);
    });
    Array.from(summary.querySelectorAll("p")).forEach(function (note) { note.remove(); });
    summary.hidden = problems.length === 0;
    document.title = (problems.length ? "Error: " : "") + title;
  }

  form.addEventListener("submit", function (event) {
    var problems = [];
    controls().forEach(function (control) {
      var message = check(control);
      if (message) problems.push({ name: nameOf(control), message: message });
    });
    summarise(problems);
    if (problems.length) {
      event.preventDefault();
      summary.focus();
    }
  });

  /* A link in the summary puts the focus in the answer it names, not just the page beside it. */
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var label = document.querySelector('label[for="' + target.id + '"]');
    var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
    (legend || label || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });

  controls().forEach(function (control) { if (control.matches(".nv-input") && control.value) counted(control); });
  if (!summary.hidden) summary.focus();
})();
