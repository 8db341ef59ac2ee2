// STAND-IN: the "i18n" branch's index.js (which spreads ui.js) replaces this
// at merge; it spreads these two parts as well.
import tours from './tours.js';
import experiments from './experiments.js';

export default { ...tours, ...experiments };
