// Every <raft-beat> on the page follows mdBook's theme: mdBook names the
// theme in a class on <html> (light, rust, coal, navy, ayu) and changes it
// there when the reader picks another, so the element's `theme` attribute is
// set from it now and at every change. The element itself knows nothing of
// mdBook.
(function followBookTheme() {
  const DARK = ['coal', 'navy', 'ayu'];
  const html = document.documentElement;
  const apply = () => {
    const theme = DARK.some((name) => html.classList.contains(name)) ? 'dark' : 'light';
    for (const el of document.querySelectorAll('raft-beat')) {
      if (el.getAttribute('theme') !== theme) el.setAttribute('theme', theme);
    }
  };
  apply();
  new MutationObserver(apply).observe(html, { attributes: true, attributeFilter: ['class'] });
})();
