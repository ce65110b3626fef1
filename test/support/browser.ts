// Debian's Chromium driven by playwright-core, started as this machine's network allows, with every
// request to another origin blocked and recorded (the pages must work offline).
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './external.ts';

/** Starts headless Chromium (/usr/bin/chromium) with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return playwright.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Aborts every request of `page` that leaves `origin`; returns the list of those URLs, filled as they come. */
export async function blockOtherOrigins(page: Page, origin: string): Promise<string[]> {
  const blocked: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return blocked;
}

/** Replaces the whole text of the focused editor with `text` through the clipboard (no auto-closing brackets). */
export async function pasteInto(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}
