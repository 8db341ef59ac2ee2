// The English catalog the element loads with itself: the lab's and the
// element's words (ui.js). The tours' part (tours.js, `tour.` keys: the
// scripts' own captions, kept for the completeness test) and the
// Experiments page's part (experiments.js, `exp.` keys) are not spread here,
// so that a page with the element does not download them: the Experiments
// page adds its part with addWords().
import ui from './ui.js';

export default { ...ui };
