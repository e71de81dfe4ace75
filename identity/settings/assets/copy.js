"use strict";
// Copy buttons, hidden without JavaScript: the fields are read-only inputs
// one can select and copy by hand.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    field.focus();
    field.select();
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
// A form with data-confirm asks first; without JavaScript the warning
// printed beside its button is the confirmation.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});
// The SAML form takes the identity provider one of two ways; the fields of
// the way not chosen are hidden. Without JavaScript both stay visible, and
// the radio button says which ones are saved.
document.querySelectorAll("fieldset.idp").forEach(function (fieldset) {
  var radios = fieldset.querySelectorAll('input[name="source"]');
  var show = function () {
    var chosen = fieldset.querySelector('input[name="source"]:checked');
    fieldset.querySelectorAll("[data-source]").forEach(function (part) {
      part.hidden = !chosen || part.getAttribute("data-source") !== chosen.value;
    });
  };
  radios.forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  show();
});
