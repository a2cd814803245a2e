/* Progressive enhancement only: the dashboard is complete without it (it has a plain
   "Refresh" link). While the tab is visible, fetch the same page every N seconds and
   swap in the sections marked data-refresh, except one the admin is using: a section
   holding the focus, a checked box, an edited field or an opened disclosure keeps what
   the admin did. The
   "Updated HH:MM" text is the only live region, so screen readers hear just that. */
(function () {
  "use strict";
  var root = document.querySelector("[data-refresh-seconds]");
  if (!root || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(root.getAttribute("data-refresh-seconds"), 10);
  if (!(seconds > 0)) {
    return; /* ADMIN_REFRESH_SECONDS=0: the Refresh link only */
  }
  var busy = false;
  var last = Date.now();

  function inUse(section) {
    if (section.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    if (section.querySelector("details[open]")) {
      return true;
    }
    var fields = section.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked || field.checked !== field.defaultChecked) {
          return true;
        }
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) {
            return true;
          }
        }
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function swap(fresh) {
    var sections = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < sections.length; i++) {
      var section = sections[i];
      var next = fresh.getElementById(section.id);
      if (next && !inUse(section)) {
        section.replaceWith(document.importNode(next, true));
      }
    }
    var stamp = document.getElementById("dashboard-updated");
    var freshStamp = fresh.getElementById("dashboard-updated");
    if (stamp && freshStamp && stamp.textContent !== freshStamp.textContent) {
      stamp.textContent = freshStamp.textContent;
    }
  }

  function refresh() {
    if (busy || document.visibilityState !== "visible") {
      return;
    }
    busy = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Dashboard-Refresh": "1" }
    })
      .then(function (response) {
        // A redirect means the login expired: leave the page as it is.
        if (!response.ok || response.redirected) {
          throw new Error("not refreshed");
        }
        return response.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
        last = Date.now();
      })
      .catch(function () {
        /* The numbers stay as they were; the next turn tries again. */
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - last >= seconds * 1000) {
      refresh();
    }
  });
})();
