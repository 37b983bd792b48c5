/* narrative: the "Copy link" button beside a page's share links. Without JavaScript, or without a clipboard,
   the button stays hidden and the address stays in its box to copy by hand. Says what happened aloud through
   the status region, so screen reader users hear it too. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var status = document.getElementById("nv-share-status");
  document.querySelectorAll("[data-nv-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-nv-copy"));
    if (!field || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = "Link copied. You can now paste it into a message.";
      }, function () {
        field.select();
        status.textContent = "Could not copy the link. It is selected: copy it with your keyboard or menu.";
      });
    });
  });
})();
