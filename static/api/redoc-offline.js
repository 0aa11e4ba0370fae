// ReDoc's bundle always draws Redocly's logo from their CDN, and has no option to stop it.
// The CSP would refuse the request; this keeps the page from even asking, so the docs
// make no request off this server. Loaded before redoc.standalone.js.
"use strict";
(() => {
  const foreign = (value) => String(value).startsWith("https://cdn.redoc.ly/");
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && name === "src" && foreign(value)) return;
    return setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      if (!foreign(value)) src.set.call(this, value);
    },
  });
})();
