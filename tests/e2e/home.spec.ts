import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

// The start page shows the real datasets: their line counts and vocabularies, read from static/data.
test('start page summarises the datasets the setup script found', async ({ page }) => {
	const names = readFileSync('static/data/names.txt', 'utf8');
	const nameLines = names.split('\n').filter((l) => l.length > 0);
	const nameVocab = new Set(names).size;
	await page.goto('/');
	const card = page.getByRole('article', { name: 'Dataset names.txt' });
	await expect(card.getByTestId('lines')).toHaveText(nameLines.length.toLocaleString('en'));
	await expect(card.getByTestId('vocab-size')).toHaveText(`${nameVocab} characters`);
	await expect(card.getByText(nameLines[0], { exact: true })).toBeVisible();
	const shakespeare = page.getByRole('article', { name: 'Dataset tinyshakespeare.txt' });
	await expect(shakespeare.getByTestId('vocab-size')).toHaveText('65 characters');
	await page.screenshot({ path: 'test-results/home.png', fullPage: true });
});
