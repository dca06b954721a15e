// The case page was one page before it was split into an overview and section pages: an address saved then
// (a bookmark, a link in an old mail) such as /cases/<uuid>#care-plan is sent on to the section page that
// holds that part now, whether it is opened or followed from the overview itself. The overview lists them
// (data-anchors: anchor -> section name, under data-case's /section/); an anchor it still has is left alone.
(function () {
  "use strict";
  var holder = document.getElementById("moved-anchors");
  if (!holder) {
    return;
  }
  var anchors = JSON.parse(holder.getAttribute("data-anchors"));
  function follow() {
    var name = window.location.hash.slice(1);
    if (name && !document.getElementById(name) && Object.prototype.hasOwnProperty.call(anchors, name)) {
      window.location.replace(holder.getAttribute("data-case") + "/section/" + anchors[name] + "#" + name);
    }
  }
  window.addEventListener("hashchange", follow);
  follow();
})();
