import { openMemoryStore, memoryState, type MemoryState } from '../../src/store/memory.js';
import { runStoreContract } from '../contract/store.contract.js';

let state: MemoryState = memoryState();
runStoreContract(
  'memory',
  async () => openMemoryStore(state),
  async () => {
    state = memoryState();
  },
);
