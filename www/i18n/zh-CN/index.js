// The Simplified Chinese catalog: its parts spread into one, with the same
// keys as www/i18n/en/index.js (keys of the tours' part start with `tour.`,
// of the Experiments page's with `exp.`). Loaded only when a page shows zh-CN.
import ui from './ui.js';

export default { ...ui };
