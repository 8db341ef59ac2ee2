// What a site using the package writes: one import registers <raft-beat>.
import 'raftbeat';
