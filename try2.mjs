import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto('http://127.0.0.1:4205/train');
await page.getByLabel('Steps').fill('20000');
await page.getByLabel('Steps').press('Tab');
await page.getByRole('button', { name: 'Start training' }).click();
for (let i = 0; i < 6; i++) {
  await page.waitForTimeout(4000);
  console.log((await page.locator('.progress').textContent()).replace(/\s+/g, ' '));
}
await page.getByRole('button', { name: 'Pause' }).click();
await browser.close();
