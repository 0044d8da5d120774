// dyadcare family pages. Everything works without this file; with it, an answer is sent with
// fetch and, if the connection drops, kept on this device and sent again once back online.
(function () {
  "use strict";
  var KEY = "dyadcare-family-pending";
  var RETRY_MS = 5000;
  var KEEP_MS = 2 * 24 * 3600 * 1000; // a link lasts 48 hours: older answers are forgotten
  var timer = null;

  function here() { return location.pathname + location.search; }
  function link(url) { var m = /^\/f\/[^/]+\//.exec(url); return m ? m[0] : ""; }
  function answerForm() { return document.querySelector("form[data-family-answer]"); }

  function load() {
    var list;
    try { list = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { list = []; }
    return Array.isArray(list) ? list.filter(function (e) { return Date.now() - e.at < KEEP_MS; }) : [];
  }
  function save(list) {
    try {
      if (list.length) { localStorage.setItem(KEY, JSON.stringify(list)); } else { localStorage.removeItem(KEY); }
    } catch (e) { /* private mode: nothing kept */ }
  }
  function keep(entry) {
    // One waiting answer per page: the newest wins.
    save(load().filter(function (e) { return e.url !== entry.url; }).concat([entry]));
  }
  function drop(entry) { save(load().filter(function (e) { return e.url !== entry.url; })); }

  function say(text) {
    var form = answerForm();
    var status = form && form.querySelector("[data-family-status]");
    if (status) { status.textContent = text || ""; }
  }
  function busy(on) {
    var form = answerForm();
    if (!form) { return; }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = on; });
  }

  // Resolves with the server's answer, or rejects when the server cannot be reached (offline,
  // or a page that is not ours while the server restarts).
  function post(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { "X-Family-Fetch": "1" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("unreachable"); }
      return response.json();
    });
  }

  function later() {
    if (!timer) { timer = setTimeout(function () { timer = null; flush(); }, RETRY_MS); }
  }

  function flush() {
    var mine = load().filter(function (e) { return link(e.url) === link(location.pathname); });
    if (!mine.length) { return; }
    var entry = mine[0];
    var form = answerForm();
    if (form && entry.url === here()) { say(form.dataset.sending); busy(true); }
    post(entry).then(function (data) {
      drop(entry);
      if (entry.url === here()) {
        if (data.next) { location.assign(data.next); return; }
        say(""); // refused (the answer is no longer offered): the page stays as it is
      }
      busy(false);
      flush();
    }).catch(function () {
      busy(false);
      if (form && entry.url === here()) { say(form.dataset.retry); }
      later();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      if (form.dataset.sent) { event.preventDefault(); }
      form.dataset.sent = "1";
      return;
    }
    if (!form.matches("form[data-family-answer]") || !window.fetch || !window.URLSearchParams) { return; }
    var submitter = event.submitter;
    var action = submitter && submitter.name === "action" ? submitter.value : "next";
    if (action === "next" && !form.querySelector("[name=answer]:checked, input[type=text][name=answer]")) {
      return; // the server explains that an answer (or Skip) is needed
    }
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, String(value)]); });
    if (submitter && submitter.name) { fields.push([submitter.name, submitter.value]); }
    var entry = { url: here(), fields: fields, at: Date.now() };
    busy(true);
    post(entry).then(function (data) {
      if (data.next) { location.assign(data.next); return; }
      busy(false);
      form.submit(); // let the server show what went wrong
    }).catch(function () {
      busy(false);
      keep(entry);
      say(form.dataset.offline);
      later();
    });
  });

  // "None of the above" and the other choices exclude each other.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked || !input.form) { return; }
    input.form.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other !== input && other.name === input.name &&
          (input.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) {
        other.checked = false;
      }
    });
  });

  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
    flush();
  });
})();
