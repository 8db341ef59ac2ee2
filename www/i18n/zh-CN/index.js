// The Simplified Chinese catalog, loaded only when a page shows zh-CN: all of
// the element's words (element.js, controls.js), the lab's and tours pages'
// (pages.js) and the tours' captions (tours.js, `tour.` keys). The
// Experiments page adds its own part (experiments.js, `exp.` keys) with
// addWords(), so the lab never downloads it.
import element from './element.js';
import controls from './controls.js';
import pages from './pages.js';
import tours from './tours.js';

export default { ...element, ...controls, ...pages, ...tours };
