const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchItem(id) {
  await sleep(5 * (4 - id));
  return { id, name: `item-${id}` };
}

async function main() {
  console.log("start");
  const items = await Promise.all([1, 2, 3].map(fetchItem));
  for (const it of items) console.log(it.id, it.name);
  const first = await Promise.race([sleep(30).then(() => "slow"), sleep(1).then(() => "fast")]);
  console.log("race:", first);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
console.log("main scheduled");
