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

// Goals pages.
(function () {
  "use strict";

  // A form that fails validation answers 422 with the form and its errors: let htmx
  // swap it in like a success, instead of dropping it as an error.
  if (window.htmx && htmx.config && Array.isArray(htmx.config.responseHandling)) {
    htmx.config.responseHandling.unshift({ code: "422", swap: true, error: false });
  }

  // Forms marked data-autosubmit (the period switchers) submit on change; their button
  // is only for when JavaScript is off.
  function enhance(root) {
    root.querySelectorAll("form[data-autosubmit] [data-autosubmit-button]").forEach(function (b) {
      b.hidden = true;
    });
    // Alignment tree: branches fold; the toggles only make sense with JavaScript.
    root.querySelectorAll("[data-tree-toggle]").forEach(function (t) {
      t.hidden = false;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) form.submit();
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-tree-toggle]");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var branch = document.getElementById(toggle.getAttribute("aria-controls"));
    if (branch) branch.hidden = !open;
  });

  enhance(document);
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
