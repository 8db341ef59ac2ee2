// The English catalog: its parts spread into one (keys of the tours' part
// start with `tour.`, of the Experiments page's with `exp.`).
import ui from './ui.js';

export default { ...ui };
