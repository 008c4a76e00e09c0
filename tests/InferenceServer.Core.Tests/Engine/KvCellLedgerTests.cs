using InferenceServer.Core.Engine;

namespace InferenceServer.Core.Tests.Engine;

public class KvCellLedgerTests
{
    [Fact]
    public void Appends_count_new_cells_per_slot()
    {
        var ledger = new KvCellLedger(4);
        ledger.Append(0, 10);
        ledger.Append(0, 5);
        ledger.Append(1, 3);
        Assert.Equal(18, ledger.Used);
        Assert.Equal(15, ledger.Length(0));
        Assert.Equal(3, ledger.Length(1));
    }

    [Fact]
    public void A_copied_prefix_shares_cells_and_survives_its_source()
    {
        var ledger = new KvCellLedger(4);
        ledger.Append(0, 100);
        ledger.CopyPrefix(0, 1, 60);
        Assert.Equal(100, ledger.Used);
        Assert.Equal(60, ledger.Length(1));
        Assert.Equal(40, ledger.Exclusive(0));
        Assert.Equal(0, ledger.Exclusive(1));

        ledger.Append(1, 7);
        Assert.Equal(107, ledger.Used);

        Assert.Equal(40, ledger.Trim(0, 0)); // only the 40 cells nobody else holds are freed
        Assert.Equal(67, ledger.Used);
        Assert.Equal(67, ledger.Exclusive(1));

        Assert.Equal(67, ledger.Trim(1, 0));
        Assert.Equal(0, ledger.Used);
    }

    [Fact]
    public void Trimming_inside_a_shared_run_frees_nothing_that_is_still_held()
    {
        var ledger = new KvCellLedger(3);
        ledger.Append(0, 50);
        ledger.CopyPrefix(0, 1, 50);
        ledger.CopyPrefix(0, 2, 20);
        Assert.Equal(0, ledger.Trim(1, 10));
        Assert.Equal(50, ledger.Used);
        Assert.Equal(10, ledger.Length(1));

        Assert.Equal(30, ledger.Trim(0, 0)); // positions 20..49: now held by slot 0 alone
        Assert.Equal(10, ledger.Trim(2, 0)); // positions 10..19: slot 2 alone since slot 1 was trimmed to 10
        Assert.Equal(10, ledger.Used);
        Assert.Equal(10, ledger.Trim(1, 0));
        Assert.Equal(0, ledger.Used);
    }

    [Fact]
    public void A_slot_must_be_empty_before_it_receives_a_copy()
    {
        var ledger = new KvCellLedger(2);
        ledger.Append(0, 5);
        ledger.Append(1, 1);
        Assert.Throws<InvalidOperationException>(() => ledger.CopyPrefix(0, 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KvCellLedger(2).CopyPrefix(0, 1, 1));
    }

    [Fact]
    public void Random_operations_match_a_cell_by_cell_model()
    {
        var random = new Random(42);
        const int slots = 5;
        var ledger = new KvCellLedger(slots);
        var cells = new List<HashSet<int>>(); // reference model: one owner set per cell (positions implicit per owner)
        var positions = new List<int>();
        for (int step = 0; step < 5000; step++)
        {
            int slot = random.Next(slots);
            int length = ledger.Length(slot);
            switch (random.Next(3))
            {
                case 0:
                    int add = random.Next(1, 6);
                    ledger.Append(slot, add);
                    for (int i = 0; i < add; i++)
                    {
                        cells.Add([slot]);
                        positions.Add(length + i);
                    }

                    break;
                case 1:
                    int from = random.Next(0, length + 1);
                    int expectedFreed = 0;
                    for (int i = cells.Count - 1; i >= 0; i--)
                    {
                        if (positions[i] >= from && cells[i].Remove(slot) && cells[i].Count == 0)
                        {
                            cells.RemoveAt(i);
                            positions.RemoveAt(i);
                            expectedFreed++;
                        }
                    }

                    Assert.Equal(expectedFreed, ledger.Trim(slot, from));
                    break;
                default:
                    int destination = random.Next(slots);
                    if (destination == slot || ledger.Length(destination) != 0 || length == 0)
                    {
                        break;
                    }

                    int count = random.Next(1, length + 1);
                    ledger.CopyPrefix(slot, destination, count);
                    for (int i = 0; i < cells.Count; i++)
                    {
                        if (positions[i] < count && cells[i].Contains(slot))
                        {
                            cells[i].Add(destination);
                        }
                    }

                    break;
            }

            Assert.Equal(cells.Count, ledger.Used);
            for (int s = 0; s < slots; s++)
            {
                Assert.Equal(cells.Count(c => c.Contains(s)), ledger.Length(s));
                Assert.Equal(cells.Count(c => c.Count == 1 && c.Contains(s)), ledger.Exclusive(s));
            }
        }
    }
}
