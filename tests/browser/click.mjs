// tests/browser/click.mjs URL SHOT_BEFORE SHOT_AFTER [LOCALE]
//
// Opens URL in Debian's Chromium (headless, through playwright-core) in
// LOCALE (default nl-NL, which sets Accept-Language), takes a screenshot,
// presses the page's one button, waits for the page the form posted to,
// and takes a second screenshot.  Prints one line of
// JSON: each page's status, <html lang>, <h1>, and every console message,
// page error or failed request (a Content-Security-Policy violation shows
// up there), so the caller can assert on what a person saw.
import { chromium } from "playwright-core";

const [url, before, after, locale] = process.argv.slice(2);
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu"],
});
const problems = [];
try {
	const page = await browser.newPage({
		viewport: { width: 720, height: 520 },
		locale: locale || "nl-NL",
	});
	page.on("console", (m) => problems.push(`console ${m.type()}: ${m.text()}`));
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
	const seen = async (res) => ({
		status: res ? res.status() : 0,
		lang: await page.getAttribute("html", "lang"),
		h1: (await page.textContent("h1")).trim(),
		buttons: await page.locator("button").count(),
	});
	const first = await seen(await page.goto(url));
	if (before)
		await page.screenshot({ path: before, fullPage: true });
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole("button").click(),
	]);
	const second = await seen(res);
	if (after)
		await page.screenshot({ path: after, fullPage: true });
	console.log(JSON.stringify({ before: first, after: second, problems }));
} finally {
	await browser.close();
}
