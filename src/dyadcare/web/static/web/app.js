// dyadcare staff pages: the little behaviour that needs a script (no framework).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The warning before an automatic logoff. The server ends a staff session after the idle
// time and at its absolute end (web/middleware.py); this script warns a little before, offers
// "Stay signed in", and at the end goes to the login page so that nothing about a family
// stays on the screen. It asks the server how long is left (that request renews nothing), so
// another tab's activity counts too.
(function () {
  var dialog = document.getElementById("session-warning");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warning = Number(dialog.getAttribute("data-warning")) * 1000;
  var ends = 0;
  var final = false;
  var asking = false;
  var checked = false;

  function set(times) {
    var now = Date.now();
    ends = now + Math.min(times.idle, times.total) * 1000;
    final = times.total <= times.idle;
    checked = ends - now <= warning;
  }

  function leave() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(dialog.getAttribute("data-login-url") + "?next=" + encodeURIComponent(here));
  }

  function read(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
  }

  function ask(then) {
    if (asking) {
      return;
    }
    asking = true;
    fetch(dialog.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(read)
      .then(function (times) {
        asking = false;
        if (!times) {
          leave(); // the session is over: the answer was the login page
          return;
        }
        set(times);
        then();
      })
      .catch(function () {
        asking = false;
        then();
      });
  }

  function clock(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function show() {
    var left = ends - Date.now();
    if (left > warning) {
      if (dialog.open) {
        dialog.close();
      }
      return;
    }
    dialog.querySelectorAll("[data-reason]").forEach(function (part) {
      part.hidden = part.getAttribute("data-reason") !== (final ? "total" : "idle");
    });
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  function tick() {
    var left = ends - Date.now();
    dialog.querySelectorAll("[data-countdown]").forEach(function (place) {
      place.textContent = clock(left);
    });
    if (left <= 0) {
      ask(function () {
        if (ends - Date.now() <= 0) {
          leave();
        } else {
          show();
        }
      });
    } else if (left <= warning && !dialog.open) {
      if (checked) {
        show();
      } else {
        checked = true;
        ask(show);
      }
    }
  }

  function stay(form) {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(read)
      .then(function (times) {
        if (!times) {
          leave();
          return;
        }
        set(times);
        show();
      })
      .catch(function () {
        form.submit();
      });
  }

  var renew = dialog.querySelector("form[data-renew]");
  renew.addEventListener("submit", function (event) {
    event.preventDefault();
    stay(renew);
  });
  dialog.addEventListener("cancel", function (event) {
    // Escape means "I am here": the same as Stay signed in (when staying can help).
    event.preventDefault();
    if (!final) {
      stay(renew);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      tick();
    }
  });
  set({
    idle: Number(dialog.getAttribute("data-idle")),
    total: Number(dialog.getAttribute("data-total")),
  });
  window.setInterval(tick, 1000);
})();
