// The studio in a real browser: Debian's chromium driven by puppeteer-core (no browser download).
// Opens the page, picks Fire, generates a sheet, opens one sprite, makes variations and an
// interpolation, checks that every image loaded, and that the downloaded sprite PNG has an alpha
// channel and at most the requested number of colours. Writes a screenshot.
//   node studio.mjs URL SCREENSHOT.png
// Exits non-zero with one line naming the failed check.
import puppeteer from "puppeteer-core";

const [url, shot] = process.argv.slice(2);
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const PALETTE = 12;
const fail = (msg) => { console.error("browser test: FAIL: " + msg); process.exitCode = 1; };

const browser = await puppeteer.launch({
  executablePath: browserPath, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A request the page itself cancels (an image whose src changed before it loaded) is not a failure.
  page.on("requestfailed", (r) => { if (r.failure()?.errorText !== "net::ERR_ABORTED") errors.push("request failed: " + r.url() + " " + r.failure()?.errorText); });
  page.setDefaultTimeout(60000);
  await page.goto(url, { waitUntil: "networkidle0" });
  await page.waitForFunction(() => document.querySelectorAll("#type option").length > 0);
  // Every image with a source has loaded (complete, natural size > 0).
  const allLoaded = () => page.waitForFunction(() =>
    [...document.images].filter((i) => i.getAttribute("src")).every((i) => i.complete && i.naturalWidth > 0));

  await page.select("#type", "Fire");
  await page.$eval("#count", (e) => { e.value = "8"; });
  await page.$eval("#seed", (e) => { e.value = "7"; });
  await page.$eval("#palette", (e, n) => { e.value = String(n); }, PALETTE);
  await page.click("#transparent");
  await page.click("#generate");
  await page.waitForFunction(() => document.querySelectorAll("#sheet .tile img").length === 8);
  await allLoaded();
  if (!page.url().includes("type=Fire") || !page.url().includes("seed=7")) fail("the URL does not hold the settings: " + page.url());

  // Open a sprite, nudge it, set A and B, interpolate.
  const tiles = await page.$$("#sheet .tile");
  await tiles[2].click();
  await page.waitForFunction(() => document.querySelector("#large").src.includes("index=2"));
  await page.waitForFunction(() => document.querySelector("#variations").src.includes("/api/variations.png"));
  await page.click("#seta");
  await tiles[5].click();
  await page.click("#setb");
  await page.waitForFunction(() => document.querySelector("#interp").src.includes("/api/interpolate.png"));
  await page.click("#favbtn");
  await allLoaded();
  const sizes = await page.$$eval("img[src]", (imgs) => imgs.map((i) => [i.id || i.alt, i.naturalWidth, i.naturalHeight]));
  for (const [name, w, h] of sizes) if (!(w > 0 && h > 0)) fail("image not loaded: " + name);
  const strips = await page.$$eval("#variations, #interp", (e) => e.map((i) => i.naturalWidth / i.naturalHeight));
  if (!(strips[0] > 3 && strips[1] > 3)) fail("variations/interpolation are not strips: " + strips);

  // The downloaded sprite: PNG colour type 6 (RGBA) and at most PALETTE colours, counted in a canvas.
  const check = await page.evaluate(async () => {
    const href = document.querySelector("#download").href;
    const buf = new Uint8Array(await (await fetch(href)).arrayBuffer());
    const colourType = buf[25];  // IHDR: 8 signature + 8 chunk header + 9 bytes in
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([buf], { type: "image/png" }));
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let transparent = 0;
    for (let i = 0; i < d.length; i += 4) {
      // Fully transparent pixels are one colour whatever their RGB.
      seen.add(d[i + 3] === 0 ? "clear" : d[i] + "," + d[i + 1] + "," + d[i + 2] + "," + d[i + 3]);
      if (d[i + 3] === 0) transparent++;
    }
    return { href, colourType, width: c.width, colours: seen.size, transparent };
  });
  if (check.colourType !== 6) fail("downloaded PNG has colour type " + check.colourType + ", not RGBA (6)");
  if (check.transparent === 0) fail("downloaded PNG has no transparent pixel");
  if (check.colours > PALETTE) fail("downloaded PNG has " + check.colours + " colours, asked for at most " + PALETTE);
  if (check.width < 128) fail("downloaded PNG is " + check.width + " px wide, expected the 4x scale");
  // The second-type box: disabled on a one-type model; on a dual-type model a pair's sheet loads and
  // its link keeps type2.
  const dual = await page.evaluate(async () => (await (await fetch("/api/model")).json()).dual_types);
  const box = await page.$eval("#type2", (e) => ({ disabled: e.disabled, options: [...e.options].map((o) => o.value) }));
  if (!dual && !box.disabled) fail("the second-type box is enabled on a one-type model");
  if (dual) {
    if (box.disabled) fail("the second-type box is disabled on a dual-type model");
    const second = box.options.find((o) => o && o !== "Fire");
    await page.select("#type2", second);
    await page.click("#generate");
    await page.waitForFunction((t) => [...document.querySelectorAll("#sheet .tile img")].every((i) => i.src.includes("type2=" + t)), {}, second);
    await allLoaded();
    if (!page.url().includes("type2=" + second)) fail("the URL does not hold type2: " + page.url());
  }
  if (errors.length) fail("page errors: " + errors.join("; "));
  await page.screenshot({ path: shot });
  if (!process.exitCode)
    console.log(`browser test: ok (${sizes.length} images loaded; ${dual ? "dual types: a pair's sheet loaded" : "one type per sprite: second type disabled"}; download ${check.width}px RGBA, ${check.colours} colours <= ${PALETTE}, ${check.transparent} transparent px)`);
} finally {
  await browser.close();
}
