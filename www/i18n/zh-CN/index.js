// The Simplified Chinese catalog, loaded only when a page shows zh-CN: the
// lab's and the element's words (ui.js) and the tours' captions (tours.js,
// `tour.` keys). The Experiments page adds its own part (experiments.js,
// `exp.` keys) with addWords(), so the lab never downloads it.
import ui from './ui.js';
import tours from './tours.js';

export default { ...ui, ...tours };
