// Presenter mode: large type, high contrast, chrome hidden, for a projector. One flag for the whole app, kept per tab.

const KEY = 'makemore-debugger:presenter';

function stored(): boolean {
	try {
		return globalThis.sessionStorage?.getItem(KEY) === '1';
	} catch {
		return false; // storage disabled: start off
	}
}

class Presenter {
	on = $state(stored());

	toggle = (): void => {
		this.set(!this.on);
	};

	set(on: boolean): void {
		this.on = on;
		try {
			globalThis.sessionStorage?.setItem(KEY, on ? '1' : '0');
		} catch {
			// storage disabled: the mode still switches, it is just not remembered across reloads
		}
	}
}

/** The presenter-mode switch (the `P` key and the Presenter mode button both flip it). */
export const presenter = new Presenter();

/** Graph label sizes in presenter mode: at least this many screen px once fitted (Fit zooms no further out). */
export const PRESENTER_GRAPH_PX = 16;
