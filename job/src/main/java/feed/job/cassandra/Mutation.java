package feed.job.cassandra;

import java.util.Arrays;

/** One statement to execute: which prepared statement, with which values. */
public record Mutation(int statement, Object[] values) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Mutation && ((Mutation) o).statement == statement
                && Arrays.equals(((Mutation) o).values, values);
    }

    @Override
    public int hashCode() {
        return 31 * statement + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "#" + statement + Arrays.toString(values);
    }
}
