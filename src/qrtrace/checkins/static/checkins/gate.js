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
  // The card just looked up: it is still in front of the camera, and must not be submitted again
  // and again (each reload would clear the declaration the staff member is ticking).
  var last = (form.getAttribute("data-last") || "").toUpperCase();
  var done = false;
  // A form being filled in (a manual entry, a declaration being ticked, a code being typed) is never
  // replaced by a card the camera sees: the scanner pauses until the staff member asks for it again.
  var paused = form.hasAttribute("data-hold");
  var streaming = false;
  var note = document.getElementById("camera-paused");

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
    showPaused();
  });

  function found(text) {
    if (done || paused || !text || text.toUpperCase().indexOf("P:") !== 0 || text.toUpperCase() === last) return false;
    done = true; // one submission per scan, however many frames still show the code
    if (window.qrtraceGateOffline && window.qrtraceGateOffline(text)) {
      // No network: queued on this device (gate_offline.js). The card is still in front of the
      // camera; look for the next one, not this one again.
      last = text.toUpperCase();
      setTimeout(function () { done = false; tick(); }, 1000);
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
    if (code) found(code.data);
  }

  function tick() {
    if (done) return;
    if (paused) {
      setTimeout(tick, 200); // no decoding while paused
    } else if (detector) {
      detector.detect(video).then(function (codes) {
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
    showPaused();
    tick();
  }, function () {
    document.getElementById("camera-status").hidden = false;
  });
})();
