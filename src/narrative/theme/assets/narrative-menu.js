/* narrative: Material's menu button on a phone is a <label> for the drawer's checkbox, which a mouse or finger
   can use but a keyboard cannot reach. This makes it a button to a keyboard and a screen reader: it can be
   focused, Enter and Space open and close the menu, it says whether the menu is open, and Escape closes the
   menu and brings focus back to the button. While the menu is closed on a screen narrow enough to hide it, its
   links are `inert`: off the screen, they must not be stops for the Tab key either. Without JavaScript the label
   still opens the menu by touch. */
(function () {
  "use strict";
  var toggle = document.getElementById("__drawer");
  var button = document.querySelector(".md-header label[for='__drawer']");
  if (!toggle || !button) {
    return;
  }
  var drawer = document.querySelector(".md-sidebar--primary");
  var narrow = window.matchMedia("(max-width: 76.234375em)"); /* where Material makes the navigation a drawer */
  function show() {
    button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
    if (drawer) {
      drawer.inert = narrow.matches && !toggle.checked;
    }
  }
  button.setAttribute("role", "button");
  button.setAttribute("tabindex", "0");
  button.setAttribute("aria-label", "Menu");
  show();
  toggle.addEventListener("change", show);
  narrow.addEventListener("change", show);
  button.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      event.stopPropagation(); /* Material clicks a focused label on Enter too: the menu would open and close */
      button.click(); /* the checkbox's change event updates aria-expanded */
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
      button.focus();
    }
  });
})();
