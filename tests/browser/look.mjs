// tests/browser/look.mjs URL SHOT [LOCALE]
//
// Opens URL in Debian's Chromium (headless, through playwright-core) in
// LOCALE (default nl-NL, which sets Accept-Language), waits until the
// page and its pictures have loaded, and takes a full-page screenshot.
// Prints one line of JSON: the status, <html lang>, <h1>, each picture
// with whether the browser could show it (natural width above 0), the
// links, and every console message, page error or failed request (a
// Content-Security-Policy violation shows up there).
import { chromium } from "playwright-core";

const [url, shot, locale] = process.argv.slice(2);
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu"],
});
const problems = [];
try {
	const page = await browser.newPage({
		viewport: { width: 760, height: 600 },
		locale: locale || "nl-NL",
	});
	// The browser asks for /favicon.ico on its own; no page links one.
	page.on("console", (m) => {
		if (!(m.location().url || "").endsWith("/favicon.ico"))
			problems.push(`console ${m.type()}: ${m.text()} ${m.location().url}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
	page.on("response", (r) => {
		if (r.status() >= 400)
			problems.push(`status ${r.status()}: ${r.url()}`);
	});
	const res = await page.goto(url, { waitUntil: "load" });
	const images = await page.$$eval("img", (els) => els.map((i) => ({
		src: i.currentSrc, alt: i.alt, shown: i.complete && i.naturalWidth > 0,
	})));
	const links = await page.$$eval("a", (els) => els.map((a) => a.href));
	const h1 = page.locator("h1").first();
	const seen = {
		status: res ? res.status() : 0,
		lang: await page.getAttribute("html", "lang"),
		h1: (await h1.count()) ? (await h1.textContent()).trim() : "",
		images, links, problems,
	};
	if (shot)
		await page.screenshot({ path: shot, fullPage: true });
	console.log(JSON.stringify(seen));
} finally {
	await browser.close();
}
