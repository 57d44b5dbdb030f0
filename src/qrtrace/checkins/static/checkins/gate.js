// Gate scanner: read personal QR codes ("P:…") from the camera and submit them to the page's form.
// Uses the browser's BarcodeDetector where it exists (Chrome on Android), else jsQR on canvas frames.
(function () {
  "use strict";
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var form = document.getElementById("scan-form");
  var input = document.getElementById("token");
  if (!video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  var done = false;
  // A form being filled in (a manual entry, a declaration being ticked, a code being typed) is never
  // replaced by a card the camera sees: the scanner pauses until the staff member asks for it again.
  var paused = form.hasAttribute("data-hold");
  var streaming = false;
  var note = document.getElementById("camera-paused");
  // One presentation of a card is one action. The card just handled (looked up, checked in or out, or
  // queued offline) usually stays in front of the camera: it is ignored while it stays there, and for
  // QUIET_MS in any case, so that the confirmation stays readable and nothing is done twice. It is read
  // again once it has been out of view for AWAY_MS and shown again, or when the worker presses
  // "Read this card again"; a different card is read at once. The card handled on the page before
  // (a check-in posts, then the page reloads) is carried over in this tab's sessionStorage.
  // "Out of view" is measured on frames the scanner looked at, from the first without the card to the
  // last: a camera still starting, a paused scanner or a phone too busy to decode frames (a cheap
  // phone, a page loading) has not seen the card taken away.
  var QUIET_MS = 4000, AWAY_MS = 1500, CARRY_MS = 30000, KEY = "qrtrace-gate-handled";
  var handled = null; // {code, at: when handled, gone/missed: the first and last frames without it}
  var again = document.getElementById("camera-again");

  function handle(code) {
    var now = Date.now();
    handled = { code: code.toUpperCase(), at: now, gone: null, missed: null };
    showAgain();
  }
  function carryOver() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (e) { kept = null; }
    if (form.getAttribute("data-last")) handle(form.getAttribute("data-last"));
    else if (kept && kept.code && Date.now() - kept.at < CARRY_MS) handled = { code: kept.code, at: kept.at, gone: null, missed: null };
  }
  function keep(code) {
    if (!code) return;
    try { sessionStorage.setItem(KEY, JSON.stringify({ code: code.toUpperCase(), at: Date.now() })); } catch (e) { /* private mode */ }
  }
  function ignored(code, now) {
    if (!handled || code !== handled.code) return false;
    var away = handled.gone !== null && handled.missed - handled.gone >= AWAY_MS;
    if (away && now - handled.at > QUIET_MS) { handled = null; showAgain(); return false; }
    stillThere();
    return true;
  }
  function stillThere() { if (handled) handled.gone = handled.missed = null; }
  // A frame looked at: the card just handled is not among the codes found in it.
  function looked(codes, now) {
    if (!handled || codes.indexOf(handled.code) >= 0) return;
    if (handled.gone === null) handled.gone = now;
    handled.missed = now;
  }
  // (A page kept by the service worker from before this note existed has none: the rule still holds.)
  function showAgain() { if (again) again.hidden = !(handled && streaming); }
  carryOver();
  // Checking in or out the person on the card: the next page must not read that card again.
  Array.prototype.forEach.call(document.querySelectorAll("#person form"), function (personForm) {
    personForm.addEventListener("submit", function () { keep(form.getAttribute("data-last")); });
  });
  if (again) again.querySelector("button").addEventListener("click", function () { handled = null; showAgain(); });

  function showPaused() { note.hidden = !(paused && streaming); }

  function typedInto(element) {
    if (!element || !element.form) return false;
    var tag = element.tagName;
    return tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && !/^(hidden|submit|button|reset)$/.test(element.type));
  }

  function pause(event) {
    if (paused || !typedInto(event.target)) return;
    paused = true;
    showPaused();
  }
  document.addEventListener("focusin", pause);
  document.addEventListener("input", pause);
  document.addEventListener("change", pause);
  document.getElementById("camera-resume").addEventListener("click", function () {
    paused = false;
    stillThere(); // not looked at while paused: not "taken away" either
    showPaused();
  });

  function found(text) {
    var code = (text || "").toUpperCase();
    if (done || paused || code.indexOf("P:") !== 0 || ignored(code, Date.now())) return false;
    done = true; // one submission per scan, however many frames still show the code
    handle(code);
    if (window.qrtraceGateOffline && window.qrtraceGateOffline(text)) {
      // No network: queued on this device (gate_offline.js). The card is still in front of the
      // camera: it is ignored like any card just handled, also after a reload of the page.
      keep(code);
      setTimeout(function () { done = false; tick(); }, 200);
      return true;
    }
    input.value = text;
    form.submit();
    return true;
  }

  function decodeWithJsQR() {
    if (!window.jsQR || !video.videoWidth) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    looked(code ? [code.data.toUpperCase()] : [], Date.now());
    if (code) found(code.data);
  }

  function tick() {
    if (done) return;
    if (paused) {
      setTimeout(tick, 200); // no decoding while paused
    } else if (detector) {
      detector.detect(video).then(function (codes) {
        if (video.readyState >= 2) looked(codes.map(function (c) { return (c.rawValue || "").toUpperCase(); }), Date.now());
        if (!codes.some(function (c) { return found(c.rawValue); })) setTimeout(tick, 200);
      }, function () { detector = null; setTimeout(tick, 200); });
    } else {
      decodeWithJsQR();
      setTimeout(tick, 200);
    }
  }

  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
    video.srcObject = stream;
    video.hidden = false;
    video.play();
    streaming = true;
    stillThere(); // the camera starts with the card in view, or not
    showPaused();
    showAgain();
    tick();
  }, function () {
    document.getElementById("camera-status").hidden = false;
  });
})();
