// Starts Swagger UI on /docs and ReDoc on /redoc (an external file: the service's CSP forbids
// inline scripts). Each page names its spec URL; ReDoc writes its CSS at run time into <style>
// elements, which carry the nonce the page's policy admits. No outside service is called:
// Swagger UI's validator badge is off.
(function () {
  "use strict";
  var swagger = document.getElementById("swagger-ui");
  if (swagger && typeof window.SwaggerUIBundle === "function") {
    window.ui = window.SwaggerUIBundle({
      url: swagger.getAttribute("data-spec-url"),
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
    });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc && typeof window.Redoc.init === "function") {
    window.Redoc.init(
      redoc.getAttribute("data-spec-url"),
      { nonce: redoc.getAttribute("data-style-nonce") },
      redoc
    );
  }
})();
