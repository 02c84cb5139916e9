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

  // Tabs kept from an earlier visit may point elsewhere; this page always queries this service.
  Object.keys(yasgui._tabs).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.setEndpoint) { tab.setEndpoint(endpoint); }
  });

  // Named queries open in a tab of their own (the link still works without this script).
  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var example = examples.find(function (ex) { return ex.name === link.dataset.name; });
      if (!example) { return; }
      event.preventDefault();
      yasgui.addTab(true, {
        name: example.title.zh,
        yasqe: { value: example.query },
        requestConfig: Object.assign({}, yasgui.getTab().getRequestConfig(), { endpoint: endpoint }),
      }, { avoidDuplicateTabs: true });
    });
  });
})();
