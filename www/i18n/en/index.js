// The English catalog the element loads with itself: what it says without
// its controls (element.js). The controls' words (controls.js) come with the
// controls, the pages' (pages.js) with their pages, the Experiments page's
// (experiments.js) with that page, each added with addWords(); the tours'
// captions are the scripts' own (tours.js is their copy, for the tests).
import element from './element.js';

export default { ...element };
