// The training worker: a TrainerService behind Comlink, saving runs to IndexedDB itself (the page thread stays free).
import * as Comlink from 'comlink';
import { RunStore } from '$lib/store/runs';
import { TrainerService } from './train-service';

let store: Promise<RunStore | null> | null = null;

Comlink.expose(new TrainerService({ store: () => (store ??= RunStore.open().catch(() => null)) }));
