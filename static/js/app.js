// ProductOrg page behaviour. Pages read fine without it; this only enhances them.
(function () {
  "use strict";

  // Org chart branches: the first activation fetches the branch through htmx; later
  // activations only show or hide it, so collapsing and re-opening cost no request.
  function isToggle(el) {
    return el && el.matches && el.matches("[data-branch-toggle]");
  }

  function setOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var branch = document.getElementById(toggle.getAttribute("aria-controls"));
    if (branch) branch.hidden = !open;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var toggle = event.detail.elt;
    if (!isToggle(toggle)) return;
    if (toggle.dataset.loaded === "true") {
      event.preventDefault();
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
    } else {
      toggle.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var toggle = event.detail.elt;
    if (!isToggle(toggle)) return;
    toggle.removeAttribute("aria-busy");
    if (event.detail.successful) {
      toggle.dataset.loaded = "true";
      setOpen(toggle, true);
    } else {
      // Fall back to the plain link: the person's own org chart.
      window.location.assign(toggle.href);
    }
  });
})();
