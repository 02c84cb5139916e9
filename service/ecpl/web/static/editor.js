/* The ecpl query editor: YASGUI against this service's /sparql endpoint.
   The server passes its settings in #ecpl-config and the named queries in #ecpl-examples
   (JSON, never HTML), so nothing from the data is written into the page as markup. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") {
    // The vendored file did not load: send the user to the plain form, which needs no script.
    if (root) { window.location.replace("/?plain=1"); }
    return;
  }
  var config = JSON.parse(document.getElementById("ecpl-config").textContent);
  var examples = JSON.parse(document.getElementById("ecpl-examples").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "ecpl-editor",
    yasqe: { value: config.defaultQuery },
  });

  window.ecplEditor = yasgui; // for the browser console and tests/test_browser.py

  // Tabs kept from an earlier visit may point elsewhere; this page always queries this service.
  Object.keys(yasgui._tabs).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.setEndpoint) { tab.setEndpoint(endpoint); }
  });

  // Named queries open in a tab of their own; if that fails, the link itself (a YASGUI share
  // link) still opens the query.
  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var example = examples.find(function (ex) { return ex.name === link.dataset.name; });
      if (!example) { return; }
      try {
        yasgui.addTab(true, {
          name: example.title.zh,
          yasqe: { value: example.query },
          requestConfig: Object.assign({}, yasgui.getTab().getRequestConfig(), { endpoint: endpoint }),
        }, { avoidDuplicateTabs: true });
        event.preventDefault();
      } catch (error) {
        console.warn("ecpl: opening the example in a tab failed; following the link", error);
      }
    });
  });
  // Result IRIs in the ecpl namespace open this service's page for them (the service answers
  // for https://w3id.org/ecpl/… under its own host), so a scholar can click through results.
  var BASE = "https://w3id.org/ecpl";
  function localise(event) {
    var link = event.target.closest && event.target.closest('a[href^="' + BASE + '/"]');
    if (link) { link.href = window.location.origin + link.getAttribute("href").slice(BASE.length); }
  }
  root.addEventListener("click", localise, true);
  root.addEventListener("auxclick", localise, true);
})();
